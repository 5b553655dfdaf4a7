-- Next-edit suggestions: after a pause in typing, the plugin asks the server
-- for switchyard/nextEdit at the cursor and shows the answer with extmarks:
-- the text an edit removes highlighted (|hl-SwitchyardNextEditDelete|), the
-- text it adds at the end of the line and below it
-- (|hl-SwitchyardNextEditAdd|), and, when the edit is out of view or away
-- from the cursor, a hint at the cursor saying where. The accept key first
-- jumps there, then applies every edit as one undo step, if the buffer is
-- still at the version the server predicted against. Any change dismisses.
--
-- Off unless next edits are on and the server announces
-- capabilities.experimental.switchyard.nextEdit: each pause costs a model
-- call. On means next_edit.enabled in setup() when it is set there, else
-- what the server's switchyard/status says of config.toml's [next_edit],
-- as VS Code does. Only Neovim 0.7 APIs are used (no inline virt_text).
local perbuf = require("switchyard.perbuf")
local position = require("switchyard.position")
local status = require("switchyard.status")

local M = {}

local api = vim.api
M.ns = api.nvim_create_namespace("switchyard_nextedit")

M.METHOD = "switchyard/nextEdit"
-- [next_edit] debounce in the server's schema.
M.DEFAULT_DEBOUNCE_MS = 300

-- bufnr -> {client_id, timer, pending, shown}
local bufs = perbuf.new("nextedit", function(bufnr)
  return M.clear(bufnr)
end)

-- Where the server settings come from (client.settings), set by setup.
local settings = function()
  return {}
end

function M.configure(get_settings)
  settings = get_settings or settings
end

--- Reads a duration the way the server does: a number of milliseconds or
--- Go's syntax ("300ms", "1.5s", "1m30s"); anything else gives fallback.
---@return number
function M.duration_ms(v, fallback)
  if type(v) == "number" then
    return v >= 0 and v or fallback
  end
  if type(v) ~= "string" then
    return fallback
  end
  local s = vim.trim(v)
  if s:match("^%d+%.?%d*$") then
    return tonumber(s)
  end
  local units = { ns = 1e-6, us = 1e-3, ["µs"] = 1e-3, ms = 1, s = 1000, m = 60000, h = 3600000 }
  local total, i = 0, 1
  while i <= #s do
    local num, unit, j = s:match("^(%d*%.?%d*)(%a+)()", i)
    if not num then
      -- "µ" is not a Lua %a letter.
      num, unit, j = s:match("^(%d*%.?%d*)(µs)()", i)
    end
    if not num or num == "" or num == "." or not units[unit] then
      return fallback
    end
    total = total + tonumber(num) * units[unit]
    i = j
  end
  return i > 1 and total or fallback
end

-- What the server's last status says of next edits: nil while off.
local function from_server()
  return status.current and status.current.nextEdit
end

--- Whether next edits are on: next_edit.enabled in the settings given to
--- setup() when it is set there (true or false), else the server's
--- status, which says whether config.toml turned them on.
function M.enabled()
  local ne = settings().next_edit
  if type(ne) == "table" and type(ne.enabled) == "boolean" then
    return ne.enabled
  end
  return from_server() ~= nil
end

--- The pause before asking: next_edit.debounce in setup(), else the
--- server's (config.toml's), else the default.
function M.debounce_ms()
  local ne = settings().next_edit
  local v = type(ne) == "table" and ne.debounce or nil
  if v == nil then
    v = (from_server() or {}).debounceMs
  end
  return M.duration_ms(v, M.DEFAULT_DEBOUNCE_MS)
end

--- Whether the server announces switchyard/nextEdit.
function M.supported(client)
  local caps = client and client.server_capabilities
  local exp = type(caps) == "table" and caps.experimental
  return type(exp) == "table" and type(exp.switchyard) == "table" and exp.switchyard.nextEdit == true
end

-- The document version Neovim's client last sent for bufnr.
local function version(bufnr)
  local v = vim.lsp.util.buf_versions
  return v and v[bufnr]
end

local function split_lines(s)
  return vim.split(s, "\n", { plain = true })
end

local function before(a, b)
  return a.line < b.line or (a.line == b.line and a.character < b.character)
end

--- Checks an answer: a table with the uri and version of bufnr, and edits
--- in document order, not overlapping, inside the buffer. Returns the
--- edits converted to 0-based rows and byte columns, or nil.
---@param result any the request's result
---@param bufnr integer
---@param uri string
---@param ver integer the buffer's version now
---@param enc string position encoding
---@return table|nil
function M.check(result, bufnr, uri, ver, enc)
  if type(result) ~= "table" or result.uri ~= uri or result.version ~= ver or type(result.edits) ~= "table" then
    return nil
  end
  if #result.edits == 0 then
    return nil
  end
  local count = api.nvim_buf_line_count(bufnr)
  local out, last = {}, nil
  for _, e in ipairs(result.edits) do
    local r = type(e) == "table" and e.range
    if type(r) ~= "table" or type(e.newText) ~= "string" or type(r.start) ~= "table" or type(r["end"]) ~= "table" then
      return nil
    end
    local s, en = r.start, r["end"]
    if before(en, s) or (last and before(s, last)) or en.line >= count or s.line < 0 or s.character < 0 then
      return nil
    end
    last = en
    local sl = api.nvim_buf_get_lines(bufnr, s.line, s.line + 1, true)[1]
    local el = api.nvim_buf_get_lines(bufnr, en.line, en.line + 1, true)[1]
    if position.character(el, #el, enc) < en.character then
      return nil
    end
    out[#out + 1] = {
      srow = s.line,
      scol = position.byte(sl, s.character, enc),
      erow = en.line,
      ecol = position.byte(el, en.character, enc),
      text = e.newText,
      lsp = e,
    }
  end
  return out
end

-- The text of bufnr between two byte positions.
local function text_between(bufnr, srow, scol, erow, ecol)
  local lines = api.nvim_buf_get_lines(bufnr, srow, erow + 1, true)
  if #lines == 1 then
    return lines[1]:sub(scol + 1, ecol)
  end
  lines[1] = lines[1]:sub(scol + 1)
  lines[#lines] = lines[#lines]:sub(1, ecol)
  return table.concat(lines, "\n")
end

-- Moves a byte position over text.
local function advance(row, col, text)
  local lines = split_lines(text)
  if #lines == 1 then
    return row, col + #text
  end
  return row + #lines - 1, #lines[#lines]
end

-- Whether byte i of s is part of a word (identifier characters, and any
-- byte of a multibyte character).
local function word(s, i)
  local c = s:byte(i)
  return c ~= nil and (c >= 0x80 or s:sub(i, i):match("[%w_]") ~= nil)
end

--- What each edit looks like on screen: the whole words it keeps
--- unchanged at either end are left out, so that a whole rewritten line
--- strikes through only the word that changes. Edits that change nothing are dropped.
---@return table[] {srow, scol, erow, ecol, removed, inserted}
function M.display(bufnr, edits)
  local out = {}
  for _, e in ipairs(edits) do
    local old = text_between(bufnr, e.srow, e.scol, e.erow, e.ecol)
    local new = e.text
    if old ~= new then
      -- An edit that starts or ends inside a word ("c" to "am" in
      -- "count") is shown over the whole word.
      local first = api.nvim_buf_get_lines(bufnr, e.srow, e.srow + 1, true)[1]
      local last = api.nvim_buf_get_lines(bufnr, e.erow, e.erow + 1, true)[1]
      local scol, ecol = e.scol, e.ecol
      if word(old, 1) or word(new, 1) then
        while scol > 0 and word(first, scol) do
          scol = scol - 1
        end
      end
      if word(old, #old) or word(new, #new) then
        while ecol < #last and word(last, ecol + 1) do
          ecol = ecol + 1
        end
      end
      local head, tail = first:sub(scol + 1, e.scol), last:sub(e.ecol + 1, ecol)
      old, new = head .. old .. tail, head .. new .. tail
      e = { srow = e.srow, scol = scol, erow = e.erow, ecol = ecol }
      local a = 0
      while a < #old and a < #new and old:byte(a + 1) == new:byte(a + 1) do
        a = a + 1
      end
      local b = 0
      while b < #old - a and b < #new - a and old:byte(#old - b) == new:byte(#new - b) do
        b = b + 1
      end
      -- Whole words: "count" to "amount" strikes through "count", not "c".
      while a > 0 and word(old, a) and (word(old, a + 1) or word(new, a + 1)) do
        a = a - 1
      end
      while b > 0 and word(old, #old - b + 1) and (word(old, #old - b) or word(new, #new - b)) do
        b = b - 1
      end
      local removed, inserted = old:sub(a + 1, #old - b), new:sub(a + 1, #new - b)
      local srow, scol = advance(e.srow, e.scol, old:sub(1, a))
      local erow, ecol = advance(srow, scol, removed)
      out[#out + 1] = { srow = srow, scol = scol, erow = erow, ecol = ecol, removed = removed, inserted = inserted }
    end
  end
  return out
end

--- Whether the cursor is on the suggestion's lines or next to them, where
--- the key applies it; farther away it jumps first.
function M.near(shown, row)
  return row >= shown.first - 1 and row <= shown.last + 1
end

--- What the accept key does now: "jump" or "apply". top and bottom are
--- the 0-based rows in view.
function M.action(shown, row, top, bottom)
  local in_view = shown.first <= bottom and shown.last >= top
  if not in_view or not M.near(shown, row) then
    return "jump"
  end
  return "apply"
end

local function key_name()
  local ok, sy = pcall(require, "switchyard")
  local k = ok and sy.options and sy.options.keymaps and sy.options.keymaps.next_edit
  return type(k) == "string" and k or ":Switchyard nextedit"
end

--- The hint shown at the cursor while the key would jump.
function M.hint(shown, row)
  local arrow = shown.first < row and "↑" or "↓"
  return ("%s next edit at line %d (%s)"):format(arrow, shown.first + 1, key_name())
end

local function view()
  return vim.fn.line("w0") - 1, vim.fn.line("w$") - 1
end

--- Hides the suggestion of bufnr; reports whether one was shown.
function M.clear(bufnr)
  local st = bufs:get(bufnr)
  pcall(api.nvim_buf_clear_namespace, bufnr, M.ns, 0, -1)
  if not st or not st.shown then
    return false
  end
  st.shown = nil
  return true
end

-- draw puts the extmarks of st.shown into bufnr.
local function draw(bufnr, st)
  local s = st.shown
  api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  for _, d in ipairs(s.display) do
    if d.removed ~= "" then
      api.nvim_buf_set_extmark(bufnr, M.ns, d.srow, d.scol, {
        end_row = d.erow,
        end_col = d.ecol,
        hl_group = "SwitchyardNextEditDelete",
        priority = 200,
      })
    end
    if d.inserted ~= "" then
      local lines = split_lines(d.inserted)
      local mark = {
        virt_text = { { "→ " .. lines[1], "SwitchyardNextEditAdd" } },
        virt_text_pos = "eol",
        hl_mode = "combine",
        priority = 200,
      }
      if #lines > 1 then
        local vl = {}
        for i = 2, #lines do
          vl[#vl + 1] = { { lines[i], "SwitchyardNextEditAdd" } }
        end
        mark.virt_lines = vl
      end
      api.nvim_buf_set_extmark(bufnr, M.ns, d.erow, 0, mark)
    end
  end
  if api.nvim_get_current_buf() == bufnr then
    local row = api.nvim_win_get_cursor(0)[1] - 1
    local top, bottom = view()
    if M.action(s, row, top, bottom) == "jump" then
      api.nvim_buf_set_extmark(bufnr, M.ns, row, 0, {
        virt_text = { { M.hint(s, row), "SwitchyardNextEditHint" } },
        virt_text_pos = "eol",
        priority = 210,
      })
    end
  end
end

--- Hides the suggestion and forgets the request in flight.
function M.dismiss(bufnr)
  return bufs:dismiss(bufnr)
end

--- Whether a suggestion is shown in bufnr (default: current buffer).
function M.visible(bufnr)
  return bufs:visible(bufnr)
end

--- The suggestion shown in bufnr, for tests and statuslines:
--- {version, edits, display, first, last}.
function M.shown(bufnr)
  return bufs:shown(bufnr)
end

--- Shows result (the server's answer) in bufnr if it applies to the
--- buffer as it is now. Returns whether something is shown.
function M.show(bufnr, result, enc)
  local st = bufs:get(bufnr)
  if not st or not api.nvim_buf_is_valid(bufnr) then
    return false
  end
  local ver = version(bufnr)
  local edits = M.check(result, bufnr, vim.uri_from_bufnr(bufnr), ver, enc)
  if not edits then
    return false
  end
  local display = M.display(bufnr, edits)
  if #display == 0 then
    return false
  end
  st.shown = {
    version = ver,
    encoding = enc,
    edits = edits,
    display = display,
    first = edits[1].srow,
    last = edits[#edits].erow,
  }
  draw(bufnr, st)
  return true
end

--- Asks the server for the next edit at the cursor now.
function M.request(bufnr)
  local st = bufs:get(bufnr)
  if not st or api.nvim_get_current_buf() ~= bufnr or not M.enabled() then
    return
  end
  local client = vim.lsp.get_client_by_id(st.client_id)
  if not client or not M.supported(client) then
    return
  end
  local cur = api.nvim_win_get_cursor(0)
  local row, col = cur[1] - 1, cur[2]
  local line = api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
  local enc = client.offset_encoding or "utf-16"
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr), version = version(bufnr) },
    position = { line = row, character = position.character(line, col, enc) },
  }
  perbuf.send(st, client, M.METHOD, params, bufnr, function(err, result)
    if err or api.nvim_get_current_buf() ~= bufnr then
      return
    end
    M.show(bufnr, result, enc)
  end)
end

--- Any change: hide what is shown, cancel, and ask again after the pause.
function M.on_change(bufnr)
  bufs:on_change(bufnr, function()
    return M.enabled()
  end, function()
    return M.debounce_ms()
  end, function()
    M.request(bufnr)
  end)
end

--- The accept key: away from the cursor or out of view, moves the cursor
--- to the suggestion; at it, applies every edit as one undo step. Returns
--- false when nothing was shown, so a mapping can fall back to the key.
function M.accept(bufnr)
  bufnr = perbuf.buffer(bufnr)
  local st = bufs:get(bufnr)
  if not st or not st.shown then
    return false
  end
  local s = st.shown
  local row = api.nvim_win_get_cursor(0)[1] - 1
  local top, bottom = view()
  if M.action(s, row, top, bottom) == "jump" then
    local d = s.display[1]
    -- Neovim scrolls the window to show the cursor.
    api.nvim_win_set_cursor(0, { d.srow + 1, d.scol })
    draw(bufnr, st)
    return true
  end
  if version(bufnr) ~= s.version then
    M.dismiss(bufnr)
    return true
  end
  M.dismiss(bufnr)
  -- Setting 'undolevels' to itself closes the undo block, so that the
  -- edits are one undo step of their own, in insert mode too.
  vim.cmd("let &undolevels = &undolevels")
  local lsp_edits = {}
  for _, e in ipairs(s.edits) do
    lsp_edits[#lsp_edits + 1] = e.lsp
  end
  vim.lsp.util.apply_text_edits(lsp_edits, bufnr, s.encoding)
  return true
end

--- Starts next edits in bufnr for client.
function M.attach(client, bufnr)
  local st = {}
  bufs:attach(client, bufnr, st, {
    {
      { "TextChanged", "TextChangedI" },
      function()
        M.on_change(bufnr)
      end,
    },
    {
      { "CursorMoved", "CursorMovedI", "WinScrolled" },
      function()
        -- The hint follows the cursor and the view.
        if st.shown and api.nvim_get_current_buf() == bufnr then
          draw(bufnr, st)
        end
      end,
    },
    {
      "BufLeave",
      function()
        M.dismiss(bufnr)
      end,
    },
  })
end

--- Stops next edits in bufnr.
function M.detach(bufnr)
  bufs:detach(bufnr)
end

function M.attached(bufnr)
  return bufs:attached(bufnr)
end

return M
