import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs embedded with no configuration at all', () => {
    const c = loadConfig({});
    expect(c.EARSHOT_KAFKA_BROKERS).toBeUndefined();
    expect(c.EARSHOT_CLICKHOUSE_URL).toBeUndefined();
    expect(c.EARSHOT_DATA_DIR).toBe('./data');
    expect(c.EARSHOT_PORT).toBe(8080);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ EARSHOT_PORT: 'eighty' })).toThrow(/EARSHOT_PORT/);
    expect(() => loadConfig({ EARSHOT_KAFKA_BROKERS: 'localhost' })).toThrow(/EARSHOT_KAFKA_BROKERS: each broker must be host:port/);
    try {
      loadConfig({ EARSHOT_PORT: '99999', EARSHOT_CLICKHOUSE_URL: 'not a url' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['EARSHOT_CLICKHOUSE_URL', 'EARSHOT_PORT']);
    }
  });

  it('refuses a ClickHouse cluster without a server to reach it by', () => {
    expect(() => loadConfig({ EARSHOT_CLICKHOUSE_CLUSTER: 'earshot' })).toThrow(
      /EARSHOT_CLICKHOUSE_CLUSTER: needs a ClickHouse server \(EARSHOT_CLICKHOUSE_URL/,
    );
    expect(() => loadConfig({ EARSHOT_CLICKHOUSE_CLUSTER: "earshot'; DROP" })).toThrow(/EARSHOT_CLICKHOUSE_CLUSTER: must be a cluster name/);
    expect(loadConfig({ EARSHOT_CLICKHOUSE_CLUSTER: '{cluster}', EARSHOT_CLICKHOUSE_URL: 'http://ch1:8123' }).EARSHOT_CLICKHOUSE_CLUSTER).toBe('{cluster}');
  });

  it('parses brokers and brand keyword lists', () => {
    const c = loadConfig({ EARSHOT_KAFKA_BROKERS: 'a:9092, b:9093', EARSHOT_BRANDS: 'acme=Acme,@AcmeMobile;globex=globex' });
    expect(c.EARSHOT_KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(c.EARSHOT_BRANDS).toEqual({ acme: ['acme', '@acmemobile'], globex: ['globex'] });
    expect(() => loadConfig({ EARSHOT_BRANDS: 'acme' })).toThrow(/EARSHOT_BRANDS/);
  });
});
