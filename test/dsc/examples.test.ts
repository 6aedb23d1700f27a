/**
 * The automation examples stay valid: the runbook parses (tree-sitter-powershell, no error nodes)
 * and names only cmdlets and parameters the module has; the DSC configuration's instances match the
 * resource schemas the engine embeds in its manifests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dscResourceManifests } from '../../engine/dsc/manifests.ts';
import { repoRoot } from '../helpers/engine.ts';
import { descendants, loadParser } from '../psmodule/analysis.ts';

const parser = await loadParser();

test('examples/runbooks/Watch-OfflineSeedImportJob.ps1 parses, uses job coordinates only (no staging path, no secret) and the cmdlet\'s real parameters', () => {
  const text = readFileSync(join(repoRoot, 'examples', 'runbooks', 'Watch-OfflineSeedImportJob.ps1'), 'utf8');
  const tree = parser.parse(text)!;
  assert.equal(descendants(tree.rootNode).filter((n) => n.type === 'ERROR' || n.isMissing).map((n) => n.text.slice(0, 40)), []);
  const cmdlet = readFileSync(join(repoRoot, 'psmodule', 'Public', 'Get-ImportJobStatus.ps1'), 'utf8');
  for (const parameter of ['JobName', 'ResourceGroupName', 'SubscriptionId']) {
    assert.match(text, new RegExp(`Get-ImportJobStatus[^\\n]*-${parameter} `));
    assert.match(cmdlet, new RegExp(`\\$${parameter}\\b`), `Get-ImportJobStatus has -${parameter}`);
  }
  const code = text.slice(text.indexOf('#>') + 2).split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
  assert.not.match(code, /-StagingPath|Connect-AzAccount|ClientSecret|Password/);
});

test('examples/dsc/offlineseed.dsc.json: every instance is valid for its resource\'s embedded schema', () => {
  const config = JSON.parse(readFileSync(join(repoRoot, 'examples', 'dsc', 'offlineseed.dsc.json'), 'utf8')) as { resources: { type: string; properties: unknown }[] };
  const manifests = Object.values(dscResourceManifests());
  const ajv = new Ajv2020({ strict: false });
  assert.ok(config.resources.length >= 2);
  for (const resource of config.resources) {
    const manifest = manifests.find((m) => m.type === resource.type);
    assert.ok(manifest, `no resource ${resource.type}`);
    const validate = ajv.compile((manifest.schema as { embedded: object }).embedded);
    assert.ok(validate(resource.properties), `${resource.type}: ${JSON.stringify(validate.errors)}`);
  }
});

test.run();
