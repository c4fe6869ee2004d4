/**
 * An expected failure of collectstatic (a bad DIR, a malformed manifest, a
 * source it cannot hash): its message is one line that names the file and the
 * reason, so the CLI prints it as is and exits 1, never a stack trace.
 */
export class CollectstaticError extends Error {
  override name = 'CollectstaticError';
}

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a parent of it is not a directory',
  ENOENT: 'does not exist',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
};

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/**
 * Turns a Node file-system error into a {@link CollectstaticError} whose one
 * line says what was being done, to which path, and why it failed in words.
 */
export function fsError(action: string, path: string, error: unknown): CollectstaticError {
  if (error instanceof CollectstaticError) return error;
  if (isErrnoException(error) && error.code !== undefined) {
    const reason = FS_REASONS[error.code] ?? error.code;
    return new CollectstaticError(`cannot ${action} ${path}: ${reason} (${error.code})`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CollectstaticError(`cannot ${action} ${path}: ${oneLine(message)}`, { cause: error });
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
