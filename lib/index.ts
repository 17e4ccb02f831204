export { workspaceAuth, toPublicUser, type WorkspaceAuth, type WorkspaceAuthOptions } from './plugin';
export { configFromEnv, type EnvConfig, type Flavour } from './config';
export { parseUsersFile, readUsersFile, readUsersFileSync, USERNAME_PATTERN, WORKSPACE_PATTERN } from './users-file';
export { UsersIndex } from './users-index';
export { describeHashProblem, hashPassword, verifyPassword } from './passwords';
export { API_KEY_HEADERS, BearerStrategy } from './strategies';
export { ConfigError, REFUSALS, sendRefusal, UsersFileError, type Problem, type RefusalCode } from './errors';
export type { LoginRateLimitOptions } from './login-limiter';
export type { Logger, UserRecord, WorkspaceUser } from './types';
