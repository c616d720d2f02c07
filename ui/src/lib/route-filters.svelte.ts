// A view's filter controls bound to the URL. The inputs edit `draft`; every
// edit is written to the route with history replace (free text after a short
// pause, or at once on Enter), and `applied` follows the route, so Back, a
// link or a reload all land in the same state. Create it while a component
// initializes: it installs effects.
import { untrack } from 'svelte';
import {
  clearedParams,
  FILTER_KEYS,
  filterKey,
  filterParams,
  readFilters,
  type FilterKey,
  type FilterView,
  type Filters,
} from './filters';
import type { Router, View } from './route.svelte';

export const TEXT_DEBOUNCE_MS = 300;

export class RouteFilters<V extends FilterView> {
  /** What the controls show (bind inputs to its fields). */
  draft: Filters<V> = $state({} as Filters<V>);
  /** What the URL says; replaced whole when the result set changes. */
  applied: Filters<V> = $state.raw({} as Filters<V>);
  readonly view: V;

  #router: Router;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `views`: the routes on which these filters are read (the audit list stays under its change-set drawer). */
  constructor(router: Router, view: V, views: readonly View[] = [view]) {
    this.#router = router;
    this.view = view;
    const initial = readFilters(view, router.route.query);
    this.applied = initial;
    this.draft = { ...initial };

    $effect(() => {
      const route = this.#router.route;
      if (!views.includes(route.view)) return;
      const next = readFilters(view, route.query);
      untrack(() => {
        clearTimeout(this.#timer);
        // Field by field, so an input whose value did not change is left alone.
        const draft = this.draft as Record<string, string>;
        for (const k of FILTER_KEYS[view]) {
          const v = (next as Record<string, string>)[k] ?? '';
          if (draft[k] !== v) draft[k] = v;
        }
        if (filterKey(view, next) !== filterKey(view, this.applied)) this.applied = next;
      });
    });
    $effect(() => () => clearTimeout(this.#timer));
  }

  /** Changes exactly when `applied` selects other rows. */
  get key(): string {
    return filterKey(this.view, this.applied);
  }

  /** Writes the whole draft to the URL now. */
  commit(): void {
    clearTimeout(this.#timer);
    this.#router.setParams(filterParams(this.view, this.draft));
  }

  /** Sets some filters and writes them at once (selects, chips, dates). */
  set(partial: Partial<Filters<V>>): void {
    Object.assign(this.draft, partial);
    this.commit();
  }

  /** Edits one text filter and writes it after a pause (see `FilterText`). */
  edit(key: FilterKey<V>, value: string): void {
    (this.draft as Record<string, string>)[key] = value;
    this.typed();
  }

  /** Call from a text input's `oninput`: writes after a pause. */
  typed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.commit(), TEXT_DEBOUNCE_MS);
  }

  /** Call from a text input's `onkeydown`: Enter writes at once. */
  onkey(e: KeyboardEvent): void {
    if (e.key === 'Enter') this.commit();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#router.setParams(clearedParams(this.view));
  }
}
