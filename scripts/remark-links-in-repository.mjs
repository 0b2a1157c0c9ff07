// A remark plugin for `npm run lint:links`: a relative link must stay inside the repository.
// remark-validate-links checks that a link's file and heading exist, but `../shared/x.md`
// exists on a developer's machine and in CI (shared/ sits beside the clone) while it is
// missing from every other clone; this plugin reports any relative link that leaves the root.
import path from 'node:path';

/** Scheme (`https:`, `mailto:`), protocol-relative (`//host`) or a bare `#heading`. */
const NOT_A_PATH = /^([a-z][a-z0-9+.-]*:|\/\/|#)/i;

/** @param {{ root: string }} options the repository's root folder */
export default function remarkLinksInRepository({ root }) {
  return (tree, file) => {
    const from = path.dirname(file.path);
    const visit = (node) => {
      if ('url' in node && typeof node.url === 'string' && !NOT_A_PATH.test(node.url)) {
        const target = decodeURIComponent(node.url.split('#')[0]);
        const resolved = target.startsWith('/')
          ? path.join(root, target)
          : path.resolve(from, target);
        if (path.relative(root, resolved).startsWith('..')) {
          file.message(`Link to \`${node.url}\` leaves the repository`, node);
        }
      }
      for (const child of node.children ?? []) visit(child);
    };
    visit(tree);
  };
}
