import { runPersistentStoreContract } from "./run-persistent-store-contract.js";
import { MemoryStore } from "./memory-store.js";

runPersistentStoreContract("MemoryStore", async () => {
  const store = new MemoryStore();
  return { store, raw: (id) => store.get(id) };
});
