export {
  createDb,
  type Database,
  type DbConfig,
  type DbHandle,
  type Executor,
  type Tx,
} from './client';
export { migrateDb, MIGRATIONS_FOLDER } from './migrate';
export * as schema from './schema';
