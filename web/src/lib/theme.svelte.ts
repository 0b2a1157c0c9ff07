/** The person's choice: follow the system setting, or always light or dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'threatroom-theme';
const media = () => window.matchMedia('(prefers-color-scheme: dark)');

function stored(): ThemeChoice {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/**
 * The colour theme. `data-theme` on <html> carries the resolved theme (web/static/theme-init.js sets it before
 * the first paint, so a dark page never flashes white); app.css keys its palette on it.
 */
class Theme {
  choice = $state<ThemeChoice>('system');
  dark = $state(false);

  start() {
    this.choice = stored();
    this.apply();
    const onSystemChange = () => this.apply();
    media().addEventListener('change', onSystemChange);
    return () => media().removeEventListener('change', onSystemChange);
  }

  set(choice: ThemeChoice) {
    this.choice = choice;
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
    this.apply();
  }

  /** system → the opposite of what the system shows → back to following the system. */
  cycle() {
    const systemDark = media().matches;
    if (this.choice === 'system') this.set(systemDark ? 'light' : 'dark');
    else this.set('system');
  }

  private apply() {
    this.dark = this.choice === 'dark' || (this.choice === 'system' && media().matches);
    document.documentElement.dataset.theme = this.dark ? 'dark' : 'light';
  }
}

export const theme = new Theme();
