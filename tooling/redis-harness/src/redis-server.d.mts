// Types of redis-server.mjs for the TypeScript test setups that import it.
export interface RedisServerHandle {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export function findRedisServer(): string | undefined;
export const REDIS_SERVER_INSTALL_HINT: string;
export function freePort(): Promise<number>;
export function startRedisServer(options?: { bin?: string; port?: number; args?: string[] }): Promise<RedisServerHandle>;
