// "Alembic: Show Revision Graph": the picture of a project's revision graph in an editor panel.
import type { Services } from '../services';
import { GraphPanel } from '../views/graphPanel';
import { revisionArg } from './args';
import { pickProject } from './pick';

/**
 * `alembic.showGraph [arg]`: the project comes from the argument (`{ projectId }`, a tree row's
 * `{ projectId, revision }`), the active editor, the only project, or a pick. With a revision, the
 * picture selects it. Returns the panel (the vscode-tier tests read its reports), or undefined when no
 * project was chosen.
 */
export function graphCommands(s: Services): Record<string, (...args: unknown[]) => unknown> {
  return {
    'alembic.showGraph': async (arg?: unknown): Promise<GraphPanel | undefined> => {
      const project = await pickProject(s, arg);
      if (!project) return undefined;
      const panel = GraphPanel.show(s.context.extensionUri, s.store, project.info.id);
      const ref = revisionArg(arg);
      if (ref && ref.projectId === project.info.id) panel.reveal(ref.revision);
      return panel;
    },
  };
}
