// Database problems are values, never exceptions: the status bar, the tree and "Test Database
// Connection" show them as they are. Every message says what happened and what to do, and never
// holds the password (messages pass through redactSecrets before they are built into a problem).

export type DbProblemKind =
  /** No URL configured anywhere. */
  | 'noUrl'
  /** The URL cannot be parsed or used as written. */
  | 'invalidUrl'
  /** SQLite, MySQL ...: the applied state needs PostgreSQL. */
  | 'unsupportedDialect'
  /** Connection refused, no route, no socket file. */
  | 'unreachable'
  /** DNS could not resolve the host. */
  | 'hostNotFound'
  /** No answer within the timeout. */
  | 'timeout'
  /** 28P01: wrong password or no such user (the server does not say which). */
  | 'authFailed'
  /** The server asks for a password and none is configured. */
  | 'passwordMissing'
  /** 28000: pg_hba.conf or the role forbids this connection. */
  | 'authRejected'
  /** 3D000 */
  | 'databaseMissing'
  /** The server does not support SSL but the SSL mode requires it. */
  | 'sslRefused'
  /** TLS handshake or certificate verification failed, or a certificate file is unreadable. */
  | 'sslFailed'
  /** Starting up, shutting down, too many connections. */
  | 'serverBusy'
  /** 42501 or a socket the editor may not open. */
  | 'permissionDenied'
  /** Connected, but reading the version table failed. */
  | 'queryFailed'
  | 'other';

export interface DbProblem {
  kind: DbProblemKind;
  /** One or two sentences for a notification or a tooltip: what happened, then what to do. */
  message: string;
  /** SQLSTATE or Node error code, when there was one. */
  code?: string;
}

export function problem(kind: DbProblemKind, message: string, code?: string): DbProblem {
  return code ? { kind, message, code } : { kind, message };
}
