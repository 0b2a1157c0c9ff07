/** What an in-app confirmation asks. */
export interface ConfirmRequest {
  title: string;
  message: string;
  /** The label of the button that goes ahead, e.g. "Delete". */
  confirmLabel: string;
  /** Shown as a red button: the action destroys something. */
  danger?: boolean;
  /** Shown as a list under the message, e.g. what is attached to a deleted cell. */
  details?: string[];
}

interface Pending extends ConfirmRequest {
  resolve: (yes: boolean) => void;
}

/** The one confirmation on screen (ConfirmHost renders it), if any. */
export const confirmation = $state<{ current: Pending | null }>({ current: null });

/**
 * Asks in an in-app dialog (not window.confirm: that blocks every tab's live session and
 * cannot say what is attached); resolves true when the person goes ahead.
 */
export function askConfirm(request: ConfirmRequest): Promise<boolean> {
  confirmation.current?.resolve(false);
  return new Promise((resolve) => {
    confirmation.current = { ...request, resolve };
  });
}

/** Answers the open confirmation. */
export function answerConfirm(yes: boolean) {
  const pending = confirmation.current;
  confirmation.current = null;
  pending?.resolve(yes);
}
