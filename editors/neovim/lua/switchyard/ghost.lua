-- Ghost text for Neovim before 0.12, which has no vim.lsp.inline_completion:
-- the plugin asks the server for textDocument/inlineCompletion itself,
-- shows the first item as extmark virtual text, and inserts it on accept.
--
-- Every keystroke in insert mode hides the text shown, cancels the request
-- in flight ($/cancelRequest) and restarts a short debounce; an answer is
-- shown only if the buffer and the cursor are still where they were when it
-- was asked for, so a late answer never lands on newer typing.
local compat = require("switchyard.compat")
local perbuf = require("switchyard.perbuf")
local position = require("switchyard.position")

local M = {}

local api = vim.api
M.ns = api.nvim_create_namespace("switchyard_ghost")

-- LSP 3.18 InlineCompletionTriggerKind.
M.INVOKED = 1
M.AUTOMATIC = 2

local METHOD = "textDocument/inlineCompletion"

-- bufnr -> {client_id, timer, pending, shown, extmark, enabled}; shown is
-- the item placed.
local bufs = perbuf.new("ghost", function(bufnr)
  return M.clear(bufnr)
end)

local opts = { debounce_ms = 50, hl_group = "SwitchyardGhostText" }

function M.configure(o)
  opts = vim.tbl_extend("force", opts, o or {})
end

local function split_lines(s)
  local out, i = {}, 1
  while true do
    local j = s:find("\n", i, true)
    if not j then
      out[#out + 1] = s:sub(i)
      return out
    end
    out[#out + 1] = s:sub(i, j - 1)
    i = j + 1
  end
end
M.split_lines = split_lines

local function in_insert_mode()
  local mode = api.nvim_get_mode().mode
  return mode:sub(1, 1) == "i"
end

local function encoding(client)
  return client and client.offset_encoding or "utf-16"
end

--- Hides the ghost text of bufnr, if any; reports whether some was shown.
function M.clear(bufnr)
  local st = bufs:get(bufnr)
  if not st or not st.shown then
    return false
  end
  pcall(api.nvim_buf_del_extmark, bufnr, M.ns, st.extmark)
  st.shown, st.extmark = nil, nil
  return true
end

--- Hides the ghost text and forgets any request in flight.
function M.dismiss(bufnr)
  return bufs:dismiss(bufnr)
end

--- Whether ghost text is shown in bufnr (default: current buffer).
function M.visible(bufnr)
  return bufs:visible(bufnr)
end

--- The item shown in bufnr, for tests and statuslines: {row, start_col,
--- end_col, text} in 0-based rows and byte columns.
function M.shown(bufnr)
  return bufs:shown(bufnr)
end

--- Works out where an inline completion item goes, from the line the
--- cursor is on. Returns nil when it cannot be shown as text after the
--- cursor: a range on another line, starting after the cursor, or text
--- that does not begin with what was typed since the range's start.
---@param item table InlineCompletionItem
---@param line string the cursor's line
---@param row integer 0-based
---@param col integer 0-based byte column of the cursor
---@param enc string position encoding
---@return table|nil {row, start_col, end_col, text, ghost}
function M.place(item, line, row, col, enc)
  local text = item.insertText
  if type(text) == "table" then
    -- A snippet StringValue; shown and inserted as its plain value.
    text = text.value
  end
  if type(text) ~= "string" or text == "" then
    return nil
  end
  local s, e = col, col
  if type(item.range) == "table" then
    local rs, re = item.range.start, item.range["end"]
    if rs.line ~= row or re.line ~= row then
      return nil
    end
    s = position.byte(line, rs.character, enc)
    e = position.byte(line, re.character, enc)
  end
  if s > col or e < s then
    return nil
  end
  e = math.max(e, col)
  local typed = line:sub(s + 1, col)
  if text:sub(1, #typed) ~= typed then
    return nil
  end
  local ghost = text:sub(#typed + 1)
  if ghost == "" then
    return nil
  end
  return { row = row, start_col = s, end_col = e, text = text, ghost = ghost, command = item.command }
end

--- The extmark options that show placed item p (with p.col, the cursor's
--- column) on line. inline: whether virt_text_pos "inline" exists (0.10+).
function M.mark(p, line, inline)
  local hl = opts.hl_group
  local lines = split_lines(p.ghost)
  -- What stays on the line after the replaced range.
  local tail = line:sub(p.end_col + 1)
  -- What the overlay must hide: the line after the cursor.
  local covered = line:sub(p.col + 1)
  local mark = { hl_mode = "combine", priority = 200 }
  if #lines == 1 then
    if inline and p.end_col == p.col then
      mark.virt_text = { { lines[1], hl } }
      mark.virt_text_pos = "inline"
      return mark
    end
    -- Before 0.10 there is no inline virtual text: overlay the ghost and
    -- then the rest of the line, padded to hide what it replaces.
    local pad = math.max(0, vim.fn.strdisplaywidth(covered) - vim.fn.strdisplaywidth(lines[1] .. tail))
    mark.virt_text = { { lines[1], hl } }
    if tail ~= "" or pad > 0 then
      table.insert(mark.virt_text, { tail .. string.rep(" ", pad), "Normal" })
    end
    mark.virt_text_pos = "overlay"
    return mark
  end
  local pad = math.max(0, vim.fn.strdisplaywidth(covered) - vim.fn.strdisplaywidth(lines[1]))
  mark.virt_text = { { lines[1] .. string.rep(" ", pad), hl } }
  mark.virt_text_pos = "overlay"
  local vl = {}
  for i = 2, #lines do
    vl[#vl + 1] = { { lines[i], hl } }
  end
  if tail ~= "" then
    table.insert(vl[#vl], { tail, "Normal" })
  end
  mark.virt_lines = vl
  return mark
end

--- Shows item (an InlineCompletionItem) at the cursor of the current
--- window, which must show bufnr. Returns false when it cannot be shown.
function M.show(bufnr, item, enc)
  local st = bufs:get(bufnr)
  if not st then
    return false
  end
  M.clear(bufnr)
  local cur = api.nvim_win_get_cursor(0)
  local row, col = cur[1] - 1, cur[2]
  local line = api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
  local p = M.place(item, line, row, col, enc)
  if not p then
    return false
  end
  p.col = col
  st.extmark = api.nvim_buf_set_extmark(bufnr, M.ns, p.row, p.col, M.mark(p, line, compat.at_least(10)))
  st.shown = p
  return true
end

--- Asks the server for an inline completion at the cursor now.
---@param bufnr integer
---@param kind integer M.INVOKED or M.AUTOMATIC
function M.request(bufnr, kind)
  local st = bufs:get(bufnr)
  if not st or api.nvim_get_current_buf() ~= bufnr then
    return
  end
  if kind == M.AUTOMATIC and not in_insert_mode() then
    return
  end
  local client = vim.lsp.get_client_by_id(st.client_id)
  if not client then
    return
  end
  local cur = api.nvim_win_get_cursor(0)
  local row, col = cur[1] - 1, cur[2]
  local line = api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
  local enc = encoding(client)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = row, character = position.character(line, col, enc) },
    context = { triggerKind = kind },
  }
  local tick = api.nvim_buf_get_changedtick(bufnr)
  perbuf.send(st, client, METHOD, params, bufnr, function(err, result)
    if err or type(result) ~= "table" then
      return
    end
    if not api.nvim_buf_is_valid(bufnr) or api.nvim_get_current_buf() ~= bufnr then
      return
    end
    local now = api.nvim_win_get_cursor(0)
    if api.nvim_buf_get_changedtick(bufnr) ~= tick or now[1] - 1 ~= row or now[2] ~= col then
      return -- the user went on typing: this answer is for old text
    end
    if kind == M.AUTOMATIC and not in_insert_mode() then
      return
    end
    local items = result.items or result
    for _, item in ipairs(items) do
      if M.show(bufnr, item, enc) then
        return
      end
    end
  end)
end

--- Hides what is shown and asks again after the debounce.
function M.on_change(bufnr)
  bufs:on_change(bufnr, function(st)
    return st.enabled
  end, function()
    return opts.debounce_ms
  end, function()
    M.request(bufnr, M.AUTOMATIC)
  end)
end

--- Inserts the ghost text shown in bufnr (default: current buffer) and
--- moves the cursor after it. Returns false when nothing was shown.
function M.accept(bufnr)
  bufnr = perbuf.buffer(bufnr)
  local st = bufs:get(bufnr)
  if not st or not st.shown then
    return false
  end
  local p = st.shown
  perbuf.cancel(st)
  M.clear(bufnr)
  local lines = split_lines(p.text)
  api.nvim_buf_set_text(bufnr, p.row, p.start_col, p.row, p.end_col, lines)
  local last = #lines == 1 and p.start_col + #lines[1] or #lines[#lines]
  api.nvim_win_set_cursor(0, { p.row + #lines, last })
  if p.command then
    local client = vim.lsp.get_client_by_id(st.client_id)
    if client then
      compat.request(client, "workspace/executeCommand", {
        command = p.command.command,
        arguments = p.command.arguments,
      }, function() end, bufnr)
    end
  end
  return true
end

--- Starts ghost text in bufnr for client.
function M.attach(client, bufnr)
  bufs:attach(client, bufnr, { enabled = true }, {
    {
      { "TextChangedI", "CursorMovedI" },
      function()
        M.on_change(bufnr)
      end,
    },
    {
      { "InsertLeave", "BufLeave" },
      function()
        M.dismiss(bufnr)
      end,
    },
  })
end

--- Stops ghost text in bufnr.
function M.detach(bufnr)
  bufs:detach(bufnr)
end

--- Switches automatic requests on or off in every attached buffer.
function M.set_enabled(on)
  bufs:each(function(bufnr, st)
    st.enabled = on
    if not on then
      M.dismiss(bufnr)
    end
  end)
end

function M.attached(bufnr)
  return bufs:attached(bufnr)
end

return M
