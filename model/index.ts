export * from './cells';
export * from './cell-changes';
export * from './document-snapshot';
export * from './frameworks';
export * from './roles';
export * from './user-color';
export * from './ydoc';
export * from './comments';
