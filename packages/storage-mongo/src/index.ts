// @sdk/storage-mongo public surface: MongoStore (PersistentStore) over a collection the caller owns, the document
// shape and indexes it uses, the 1.x migration and duplicate finder, and the deprecated 1.x name.
export { MongoStore, MongoDBStorage, type MongoStoreOptions } from "./mongo-store.js";
export { MONGO_STORE_INDEXES, findDuplicateNaturalKeys, type DuplicateNaturalKey } from "./mongo-store-indexes.js";
export {
  LEGACY_DOCUMENT_QUERY,
  UNREADABLE_DOCUMENT_QUERY,
  countLegacyDocuments,
  migrateLegacyDocuments,
  type LegacyDocumentCounts,
  type LegacyMigrationResult,
  type MigrateLegacyDocumentsOptions,
} from "./migrate-legacy-documents.js";
export type { IntegrationCollection, IntegrationDocument } from "./integration-document.js";
