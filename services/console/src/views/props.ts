import type { Filters } from '../route.js';

export interface ViewProps {
  f: Filters;
  params: URLSearchParams;
}
