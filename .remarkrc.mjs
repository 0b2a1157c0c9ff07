// remark configuration for `npm run lint:links` (README.md and docs/): every relative link
// and `#anchor` must resolve to a file and heading in this repository. Only local links are
// checked (CI has no network); `repository: false` keeps it from asking git for a remote.
import remarkValidateLinks from 'remark-validate-links';
import remarkLinksInRepository from './scripts/remark-links-in-repository.mjs';

const root = import.meta.dirname;

export default {
  plugins: [
    [remarkValidateLinks, { repository: false, root }],
    [remarkLinksInRepository, { root }],
  ],
};
