export * from './cells';
export * from './frameworks';
export * from './roles';
export * from './ydoc';
export * from './comments';
