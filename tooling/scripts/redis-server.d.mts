// Types of redis-server.mjs for the TypeScript test setups that import it.
export interface RedisServerHandle {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export function findRedisServer(): string | undefined;
export function ensureRedisServer(options?: { log?: (message: string) => void }): string | undefined;
export function freePort(): Promise<number>;
export function startRedisServer(options?: { bin?: string; port?: number; args?: string[] }): Promise<RedisServerHandle>;
export function aptInstall(packages: string[], options?: { log?: (message: string) => void }): boolean;
