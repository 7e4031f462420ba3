// @sdk/storage-mongo public surface: MongoStore (PersistentStore) over a collection the caller owns, the document
// shape and indexes it uses, and the deprecated 1.x name.
export { MongoStore, MongoDBStorage, MONGO_STORE_INDEXES, type MongoStoreOptions } from "./mongo-store.js";
export type { IntegrationDocument } from "./integration-document.js";
