// The Node implementation of core's FileSystem, for the CLI and the language server.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { DirEntry, FileSystem } from '../core/project/fs';
import { readFilesInOneBuffer, readTextFile } from './readFiles';

export const nodeFileSystem: FileSystem = {
  // Synchronous reads inside the async interface: for thousands of small migration files they are ~8x
  // faster than fs.promises (no thread-pool round trip per open/stat/read/close), and each call is short
  // enough (tens of microseconds) not to hold the event loop; callers await between files. Pipes,
  // devices and files above MAX_SOURCE_BYTES are not read (see readFiles.ts).
  async readFile(path) {
    return readTextFile(path).text;
  },
  // Read back to back into one buffer and decoded a batch at a time (see readFilesInOneBuffer).
  async readFiles(paths) {
    return readFilesInOneBuffer(paths);
  },
  async readDirectory(path) {
    try {
      const entries = await fsp.readdir(path, { withFileTypes: true });
      const out: DirEntry[] = [];
      for (const e of entries) {
        if (e.isSymbolicLink()) {
          // What the link points to, and that it is a link: Alembic loads linked files, but its
          // os.walk does not descend into linked folders (see listRevisionFiles).
          const s = await fsp.stat(join(path, e.name)).catch(() => undefined);
          out.push({ name: e.name, kind: s?.isFile() ? 'file' : s?.isDirectory() ? 'directory' : 'other', symbolicLink: true });
        } else {
          out.push({ name: e.name, kind: e.isFile() ? 'file' : e.isDirectory() ? 'directory' : 'other' });
        }
      }
      return out;
    } catch {
      return undefined;
    }
  },
  async stat(path) {
    try {
      const s = await fsp.stat(path);
      return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
    } catch {
      return undefined;
    }
  },
  async realPath(path) {
    try {
      return await fsp.realpath(path);
    } catch {
      return path;
    }
  },
};
