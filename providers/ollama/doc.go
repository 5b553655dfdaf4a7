// Package ollama speaks Ollama's native HTTP API: /api/generate for raw and
// fill-in-the-middle completions (suffix), /api/chat for conversations with
// images, /api/tags and /api/show for the models a local runner serves and
// what each can do.
//
// It checks a model's capabilities before asking it for something it
// cannot do, so the router can skip it without a wasted call. It must not
// pull models, create them or delete them: what the user has installed is
// theirs to manage.
package ollama
