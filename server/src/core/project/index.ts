// Alembic projects: configuration (alembic.ini, pyproject.toml), locations, the files Alembic loads.
export type { FileSystem, DirEntry, FileText } from './fs';
export { memoryFileSystem } from './fs';
export { parseIni, iniGet, type IniFile, type IniProblem } from './ini';
export { readIniSettings, readPyprojectSettings, readToolAlembic, folderSettings, type AlembicSettings, type ProjectKind } from './settings';
export {
  resolveLocations, listRevisionFiles, scanVersionLocations, isRevisionFileName, isInVersionLocations, type ResolvedLocations,
  type VersionLocationListing,
} from './locations';
export { scanEnvPy, type EnvPyFacts } from './envPy';
export {
  discoverProjects, findProjectAbove, loadConfigFile, loadConfigFiles, loadFolderConfig, loadFolderConfigs, loadMigrationFolder, type ProjectConfig, type DiscoverOptions,
} from './discover';
