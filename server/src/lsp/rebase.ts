// "Rebase New Revisions onto Base Head": the plan the client applies, made from the project's
// multiple-heads-after-merge finding and that rule's own quick fix, so the command and the light bulb
// make the same edit.
import { quickFixes } from '../core/fixes';
import type { MultipleHeadsAfterMergeData } from '../core/rules/multiple-heads-after-merge';
import type { RebasePlanResult } from '../../../common/protocol';
import { fileUri } from './positions';
import type { WorkspaceIndex } from './workspaceIndex';

const RULE = 'multiple-heads-after-merge';

export function rebasePlan(index: WorkspaceIndex, projectId: string): RebasePlanResult {
  const model = index.model(projectId);
  if (!model) return { ok: false, message: `no project ${projectId}` };
  const base = model.releaseState?.base;
  if (!base) {
    return { ok: false, message: model.releaseState?.note ?? 'which revisions are new is not known yet (git is still being read): try again in a moment' };
  }
  const finding = [...index.findingsByPath(projectId).values()].flat().find((f) => f.rule === RULE);
  if (!finding) return { ok: false, message: `nothing to rebase: merging this branch into ${base.ref} leaves a single head` };
  const data = finding.data as MultipleHeadsAfterMergeData | undefined;
  const file = model.getFile(finding.path);
  if (!data || !file) return { ok: false, message: `the ${RULE} finding in ${finding.path} carries no plan` };
  if (data.baseHeads.length !== 1) {
    return { ok: false, message: `${base.ref} has ${data.baseHeads.length} heads (${data.baseHeads.join(', ')}): merge them there first` };
  }
  const fix = quickFixes({ rule: RULE, range: finding.range, text: file.text, path: file.path, data })[0];
  if (!fix) return { ok: false, message: `the down_revision of ${data.oldestNew} is not a single literal id: edit it by hand` };
  return {
    ok: true,
    revision: data.oldestNew,
    oldParents: model.graph.nodes.get(data.oldestNew)?.parents ?? [],
    base: base.ref,
    baseHead: data.baseHeads[0] ?? '',
    uri: fileUri(file.path),
    edits: fix.edits,
  };
}
