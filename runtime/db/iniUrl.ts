// The project's `sqlalchemy.url` for connecting. The server sends it with the password masked (a
// verbose LSP trace logs every message), so when it says it masked one, the ini is read here with the
// same reader the server uses (core's, through the file system layer). No vscode import: the unit tier tests it.
import { readIniSettings } from '../../server/src/core/project/settings';
import { readTextFile } from '../../server/src/fs/readFiles';
import type { ProjectInfo } from '../../common/protocol';

/** `sqlalchemy.url` as configparser gives it (interpolated), password included; undefined when unset or unreadable. */
export function iniSqlalchemyUrl(
  project: Pick<ProjectInfo, 'configFile' | 'kind' | 'sqlalchemyUrl' | 'sqlalchemyUrlMasked' | 'iniSection'>,
  readText: (file: string) => string | undefined = (file) => readTextFile(file).text,
): string | undefined {
  if (!project.sqlalchemyUrlMasked || project.kind !== 'ini') return project.sqlalchemyUrl;
  const text = readText(project.configFile);
  return text === undefined ? undefined : readIniSettings(project.configFile, text, project.iniSection ? { section: project.iniSection } : {}).sqlalchemyUrl;
}
