// The package's own name and version, for --version and the server's serverInfo.
import { version } from '../package.json';

export const PACKAGE_VERSION: string = version;
