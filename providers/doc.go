// Package providers is where text comes from: the Provider interface that
// every wire protocol implements, the error kinds the router acts on, and
// (in sub-packages) one client per wire protocol plus the router.
//
// Nothing here sees a document, a cursor or JSON-RPC: a request arrives as
// a finished prompt, and text leaves as a pull-style Stream.
package providers
