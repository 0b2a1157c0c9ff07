export * from './users';
export * from './threat-models';
export * from './threats';
export * from './diagrams';
export * from './content';
export * from './collaboration';
export * from './review';
export * from './audit';
