/**
 * Focuses an element when it mounts (a Svelte action). Every control that opens a text field
 * uses it, so typing goes where the person expects, never to the canvas shortcuts.
 * (The `autofocus` attribute is not used: svelte-check flags it, and it does not fire for
 * elements shown later in an already-loaded page.)
 */
export function focusOnMount(el: HTMLElement, enabled: boolean = true) {
  if (!enabled) return;
  queueMicrotask(() => el.focus({ preventScroll: false }));
}
