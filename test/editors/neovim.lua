-- The editors tier, Neovim part: Debian's Neovim (0.7.2) headless drives the bundled language server with
-- its built-in client (vim.lsp.start_client), the way nvim-lspconfig configures it: settings answered on
-- workspace/configuration and pushed once in on_init. Started by test/editors/run.ts, which makes the
-- project and reads the results: one JSON line per check in $EDITORS_RESULTS.
-- Env: EDITORS_NODE, EDITORS_SERVER (dist/server.js), EDITORS_PROJECT (the project root), EDITORS_RESULTS.
local env = vim.env
local root = env.EDITORS_PROJECT
local versions = root .. '/migrations/versions'
local child = versions .. '/bbbb_child.py'
local orphan = versions .. '/cccc_orphan.py'
local results = assert(io.open(env.EDITORS_RESULTS, 'a'))
-- The server's log (window/logMessage), shown with a failed check.
local log_lines = {}

local function report(name, ok, detail)
  results:write(vim.fn.json_encode({ editor = 'neovim', name = name, ok = ok, detail = detail or '' }) .. '\n')
  results:flush()
end

-- Runs one check; a failure is reported with its message and the next check still runs.
local function check(name, fn)
  local ok, detail = pcall(fn)
  report(name, ok, ok and (detail or '') or (tostring(detail) .. '\nserver log:\n' .. table.concat(log_lines, '\n')))
  return ok
end

local function wait_for(what, predicate, ms)
  if not vim.wait(ms or 10000, predicate, 20) then error('timed out waiting for ' .. what) end
end

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function codes(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do table.insert(out, tostring(code_of(d))) end
  table.sort(out)
  return out
end

local function has_code(bufnr, code)
  return vim.tbl_contains(codes(bufnr), code)
end

-- The file is open before the client starts, as when an ftplugin starts it: opening a Python file runs
-- Neovim's python ftplugin, which takes a second or more on a busy machine and is no part of the server's time.
vim.cmd('edit ' .. vim.fn.fnameescape(child))
local bufnr = vim.api.nvim_get_current_buf()

local exit_code, exit_signal
-- When the first publishDiagnostics arrived (any file).
local first_publish
local started = vim.loop.hrtime()
local settings = { alembic = { rules = { ['docstring-mismatch'] = 'off' } } }
local client_id = vim.lsp.start_client({
  name = 'alembic',
  cmd = { env.EDITORS_NODE, env.EDITORS_SERVER, '--stdio' },
  root_dir = root,
  settings = settings,
  -- What nvim-lspconfig does on init: push the settings once.
  on_init = function(client)
    client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
  end,
  handlers = {
    ['window/logMessage'] = function(_, result) log_lines[#log_lines + 1] = result.message end,
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      first_publish = first_publish or vim.loop.hrtime()
      return vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
    end,
  },
  on_exit = function(code, signal)
    exit_code, exit_signal = code, signal
  end,
})

local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
  if not responses then error(method .. ': ' .. tostring(err)) end
  local response = responses[client_id]
  if not response then error(method .. ': no response') end
  if response.err then error(method .. ': ' .. vim.inspect(response.err)) end
  return response.result
end

local function position_of(bufnr, pattern, offset)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(pattern)
    if col then return { line = i - 1, character = col - 1 + (offset or 0) } end
  end
  error('no line matches ' .. pattern)
end

local function at(bufnr, position)
  return { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = position }
end

local main = function()
  if not client_id then error('vim.lsp.start_client returned nil') end
  vim.lsp.buf_attach_client(bufnr, client_id)

  check('diagnostics on the open file (its path has + @ (1), a space and a non-ASCII letter)', function()
    wait_for('missing-downgrade on ' .. child, function() return has_code(bufnr, 'missing-downgrade') end)
    return string.format('first diagnostics %.0f ms after start_client (first publish received at %.0f ms)',
      (vim.loop.hrtime() - started) / 1e6, ((first_publish or started) - started) / 1e6)
  end)

  check('diagnostics on a file not open; a rule set to off by settings is gone', function()
    local other = vim.uri_to_bufnr(vim.uri_from_fname(orphan))
    -- Neovim 0.7 has no workspace/configuration: the settings arrive with the push after the first index.
    wait_for('unknown-revision without docstring-mismatch on ' .. orphan, function()
      return has_code(other, 'unknown-revision') and not has_code(other, 'docstring-mismatch')
    end)
    return table.concat(codes(other), ', ')
  end)

  check('hover over the parent id', function()
    local hover = request(bufnr, 'textDocument/hover', at(bufnr, position_of(bufnr, '^down_revision', 18)))
    local value = hover and hover.contents and (hover.contents.value or hover.contents)
    if type(value) ~= 'string' or not value:find('aaaa00000001', 1, true) then error('hover: ' .. vim.inspect(hover)) end
  end)

  check('definition of the parent id is the parent file', function()
    local result = request(bufnr, 'textDocument/definition', at(bufnr, position_of(bufnr, '^down_revision', 18)))
    local location = result and (result[1] or result)
    local file = location and vim.uri_to_fname(location.uri or location.targetUri)
    if file ~= versions .. '/aaaa_base.py' then error('definition: ' .. vim.inspect(result)) end
  end)

  check('completion inside down_revision offers the parent', function()
    local result = request(bufnr, 'textDocument/completion', at(bufnr, position_of(bufnr, '^down_revision', 17)))
    local items = result and (result.items or result) or {}
    for _, item in ipairs(items) do
      if item.label == 'aaaa00000001' then return #items .. ' item(s)' end
    end
    error('completion: ' .. vim.inspect(items))
  end)

  check('a code action applied, and its diagnostic gone', function()
    local target
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if code_of(d) == 'missing-downgrade' then target = d end
    end
    if not target then error('no missing-downgrade to fix') end
    local lsp_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, target.lnum)
    local actions = request(bufnr, 'textDocument/codeAction', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = { start = { line = target.lnum, character = target.col }, ['end'] = { line = target.end_lnum, character = target.end_col } },
      context = { diagnostics = lsp_diagnostics },
    })
    local fix
    for _, action in ipairs(actions or {}) do
      if action.edit and not action.title:find('^Suppress') then fix = action break end
    end
    if not fix then error('no quick fix among ' .. vim.inspect(actions)) end
    vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
    wait_for('missing-downgrade gone', function() return not has_code(bufnr, 'missing-downgrade') end)
    return fix.title
  end)

  check('an edit that breaks the file, then one that fixes it', function()
    local pos = position_of(bufnr, '^down_revision')
    vim.api.nvim_buf_set_lines(bufnr, pos.line, pos.line + 1, false, { 'down_revision = "zzzz0000000z' })
    wait_for('invalid-revision-id or unknown-revision after the break', function()
      return has_code(bufnr, 'unknown-revision') or has_code(bufnr, 'invalid-revision-id')
    end)
    vim.api.nvim_buf_set_lines(bufnr, pos.line, pos.line + 1, false, { 'down_revision = "aaaa00000001"' })
    wait_for('the file clean again', function()
      return not has_code(bufnr, 'unknown-revision') and not has_code(bufnr, 'invalid-revision-id')
    end)
  end)

  check('a migration created on disk is picked up', function()
    local created = versions .. '/dddd_created.py'
    local f = assert(io.open(created, 'w'))
    f:write('"""created\n\nRevision ID: dddd00000004\nRevises: bbbb00000002\n"""\nrevision = "dddd00000004"\n'
      .. 'down_revision = "bbbb0000000x"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n')
    f:close()
    local created_buf = vim.uri_to_bufnr(vim.uri_from_fname(created))
    wait_for('unknown-revision on the created file', function() return has_code(created_buf, 'unknown-revision') end)
  end)

  check('clean exit', function()
    vim.lsp.stop_client(client_id)
    wait_for('the server to exit', function() return exit_code ~= nil end, 5000)
    if exit_code ~= 0 or (exit_signal or 0) ~= 0 then error(string.format('exit code %s, signal %s', exit_code, exit_signal)) end
  end)
end

local ok, err = pcall(main)
if not ok then report('the script ran to its end', false, tostring(err)) end
results:close()
vim.cmd('qall!')
