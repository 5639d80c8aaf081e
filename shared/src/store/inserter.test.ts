import { describe, expect, it } from 'vitest';
import { isOutOfSpace, isRetryable } from './inserter.js';

/** Errors as @clickhouse/client raises them from a server's answer: ClickHouse's code and type beside the message. */
const fromServer = (code: string, type: string, message: string) => Object.assign(new Error(message), { code, type });

// Issue #35.2: "Cannot reserve …, not enough space" was taken for a bad row (split, dead-lettered).
describe('a store disk that refuses writes', () => {
  it('is retried whole, never split or dead-lettered, however ClickHouse or the OS words it', () => {
    const refusals = [
      // What chDB raised on a full 40 MiB tmpfs (test/store-disk-full.e2e.test.ts).
      fromServer('243', 'NOT_ENOUGH_SPACE', 'Cannot reserve 1.00 MiB, not enough space. '),
      fromServer(
        '75',
        'CANNOT_WRITE_TO_FILE_DESCRIPTOR',
        'Cannot write to file /var/lib/clickhouse/store/x/tmp_insert/data.bin: , errno: 28, strerror: No space left on device',
      ),
      fromServer(
        '1001',
        'STD_EXCEPTION',
        'std::exception. Code: 1001, type: std::__1::__fs::filesystem::filesystem_error, e.what() = filesystem error: in create_directories: Read-only file system',
      ),
      new Error('write ENOSPC'),
    ];
    for (const err of refusals) {
      expect(isOutOfSpace(err), err.message).toBe(true);
      expect(isRetryable(err), err.message).toBe(true);
    }
  });

  it('is told apart from a batch ClickHouse refuses for its content or spread, which is split', () => {
    const refusals = [
      fromServer('27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', "Cannot parse input: expected '\"' before: 'x'"),
      fromServer('252', 'TOO_MANY_PARTS', 'Too many partitions for single INSERT block (more than 100).'),
    ];
    for (const err of refusals) {
      expect(isOutOfSpace(err), err.message).toBe(false);
      expect(isRetryable(err), err.message).toBe(false);
    }
  });
});
