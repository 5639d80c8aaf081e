import { useState } from 'preact/hooks';
import { apiKey, query } from './api.js';

/**
 * "Download CSV": every mention matching `filter` from GET /v1/mentions.csv. Fetched with
 * the saved API key (a plain link would carry none), then handed to the browser as a file.
 */
export function DownloadCsv({ filter, name }: { filter: Record<string, string | undefined>; name: string }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const key = apiKey.get();
      const res = await fetch(`/v1/mentions.csv${query(filter)}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: string };
        throw new Error(body.error ?? `HTTP ${res.status}`);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `${name}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="link" onClick={download} disabled={busy} data-testid="download-csv">
        {busy ? 'Preparing CSV…' : 'Download CSV'}
      </button>
      {error && (
        <span class="small" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
