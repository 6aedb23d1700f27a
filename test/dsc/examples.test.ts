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

test('examples/runbooks/Watch-OfflineSeedImportJob.ps1 parses, works from -SeedUri only (no staging path, no secret but an Automation credential) with the cmdlets\' real parameters', () => {
  const text = readFileSync(join(repoRoot, 'examples', 'runbooks', 'Watch-OfflineSeedImportJob.ps1'), 'utf8');
  const tree = parser.parse(text)!;
  assert.equal(descendants(tree.rootNode).filter((n) => n.type === 'ERROR' || n.isMissing).map((n) => n.text.slice(0, 40)), []);
  const code = text.slice(text.indexOf('#>') + 2).split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
  // Every cmdlet of the module the runbook calls gets -SeedUri, and every named parameter it passes exists.
  const calls = [...code.matchAll(/\b((?:Get|New|Update|Complete)-(?:ImportJobStatus|OfflineSeedImportJob|ImportShipping|OfflineSeed))\b([^\n]*(?:`\n[^\n]*)*)/g)];
  assert.equal([...new Set(calls.map((m) => m[1]))].sort(), ['Complete-OfflineSeed', 'Get-ImportJobStatus', 'New-OfflineSeedImportJob', 'Update-ImportShipping']);
  for (const [, cmdlet, args] of calls) {
    assert.match(args!, /-SeedUri \$SeedUri/, `${cmdlet} is called with -SeedUri`);
    const source = readFileSync(join(repoRoot, 'psmodule', 'Public', `${cmdlet}.ps1`), 'utf8');
    const common = new Set(['InformationAction', 'ErrorAction', 'ErrorVariable', 'Confirm']);
    for (const [, parameter] of args!.matchAll(/ -([A-Za-z]+)/g)) {
      if (common.has(parameter!)) continue;
      assert.match(source, new RegExp(`\\$${parameter}\\b`), `${cmdlet} has -${parameter}`);
    }
  }
  assert.match(code, /Get-AutomationPSCredential -Name \$CredentialName/);
  assert.not.match(code, /-StagingPath|Connect-AzAccount|ClientSecret|PasswordFile|ConvertTo-SecureString/);
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
