// Opens one YAML file in yaml-language-server (as an editor would) and prints, as one JSON line,
// the diagnostics it publishes and the completions it offers at LINE:CHARACTER (0-based).
// Usage: node lsp-check.js FILE LINE CHARACTER   (run where yaml-language-server is installed)
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const rpc = require('vscode-jsonrpc/node');

const file = path.resolve(process.argv[2]);
const position = { line: Number(process.argv[3]), character: Number(process.argv[4]) };
const uri = 'file://' + file;
const text = fs.readFileSync(file, 'utf8');
const server = spawn(process.execPath, [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio']);
const conn = rpc.createMessageConnection(
  new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
// No schema store, no network: only the schema the modeline names.
const yaml = { validate: true, completion: true, hover: true, schemaStore: { enable: false }, schemas: {} };
conn.onRequest('workspace/configuration', p => p.items.map(() => yaml));
conn.onRequest('client/registerCapability', () => null);
conn.onRequest('window/workDoneProgress/create', () => null);
const finish = (result, code) => {
  console.log(JSON.stringify(result));
  server.kill();
  process.exit(code);
};
let reported = false;
conn.onNotification('textDocument/publishDiagnostics', async p => {
  if (reported || p.uri !== uri) return;
  reported = true;
  const diagnostics = p.diagnostics.map(d => ({
    line: d.range.start.line + 1, column: d.range.start.character + 1, message: d.message }));
  const completion = await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position });
  const labels = (Array.isArray(completion) ? completion : completion.items).map(i => i.label);
  finish({ diagnostics, completion: labels }, 0);
});
conn.listen();
(async () => {
  await conn.sendRequest('initialize', {
    processId: process.pid, rootUri: 'file://' + path.dirname(file),
    capabilities: { workspace: { configuration: true }, textDocument: { completion: {} } } });
  conn.sendNotification('initialized', {});
  conn.sendNotification('workspace/didChangeConfiguration', { settings: { yaml } });
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
})();
setTimeout(() => finish({ error: 'yaml-language-server published no diagnostics in 30 s' }, 1), 30000);
