import { setParams, type Filters } from './route.js';
import { day } from './format.js';

const MIN = 60_000;
const SPAN = 3 * 86_400_000;

/**
 * Imported history lies outside the default "last days": when the chosen range holds none
 * of the brand's mentions but older ones are stored, say when the latest is and offer the
 * days up to it in one click (a pinned range, so the link shows the same later).
 */
export function PastDataBanner({ brand, latest, f }: { brand: string; latest: string | null; f: Filters }) {
  if (!latest || Date.parse(latest) >= Date.parse(f.from)) return null;
  const to = Date.parse(latest) + MIN;
  return (
    <p class="notice" role="status">
      No mentions of {brand} in this range; the latest stored is from <time dateTime={latest}>{day(latest, true)}</time>.{' '}
      <button
        type="button"
        class="link"
        onClick={() => setParams({ from: new Date(to - SPAN).toISOString(), to: new Date(to).toISOString(), range: undefined })}
      >
        Show the 3 days up to it
      </button>
    </p>
  );
}
