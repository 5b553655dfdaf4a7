-- Conversions between byte columns (what Neovim's API counts) and LSP
-- character offsets in the negotiated encoding. Written here rather than
-- taken from vim.str_utfindex/str_byteindex because their signatures
-- changed in 0.11 and vim.lsp.util's helpers are private.
local M = {}

-- Length in bytes of the UTF-8 sequence that starts with byte b.
local function seq_len(b)
  if b < 0x80 then
    return 1
  elseif b >= 0xF0 then
    return 4
  elseif b >= 0xE0 then
    return 3
  elseif b >= 0xC0 then
    return 2
  end
  return 1 -- a stray continuation byte counts as one unit
end

-- Units one sequence of `n` bytes takes in `encoding`.
local function units(n, encoding)
  if encoding == "utf-8" then
    return n
  elseif encoding == "utf-32" then
    return 1
  end
  return n == 4 and 2 or 1 -- utf-16: surrogate pair above the BMP
end

--- The LSP character offset of byte column `col` (0-based) in `line`.
---@param line string
---@param col integer
---@param encoding string "utf-8", "utf-16" or "utf-32"
---@return integer
function M.character(line, col, encoding)
  local i, ch = 1, 0
  col = math.min(col, #line)
  while i <= col do
    local n = seq_len(line:byte(i))
    ch = ch + units(n, encoding)
    i = i + n
  end
  return ch
end

--- The byte column (0-based) of LSP character offset `character` in
--- `line`; past the end of the line it is the line's length.
---@param line string
---@param character integer
---@param encoding string
---@return integer
function M.byte(line, character, encoding)
  local i, ch = 1, 0
  while i <= #line and ch < character do
    local n = seq_len(line:byte(i))
    ch = ch + units(n, encoding)
    i = i + n
  end
  return math.min(i - 1, #line)
end

return M
