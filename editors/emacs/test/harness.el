;;; harness.el --- what the batch-Emacs tests of switchyard.el share  -*- lexical-binding: t; -*-

;; Loaded first by e2e.el and codeaction.el.  It puts eglot and
;; switchyard.el on the load path, sets switchyard.el up from the
;; environment editors/emacs_test.go passes, and defines how a script
;; records what it saw, waits, and writes its results as JSON to
;; $SWITCHYARD_TEST_OUT.

;; With -Q, Debian's elpa packages (eglot 1.9 and the project, xref and
;; seq it needs) are not on the load path.
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(add-to-list 'load-path (getenv "SWITCHYARD_TEST_PLUGIN"))

(require 'json)
(require 'switchyard)

(setq switchyard-program (getenv "SWITCHYARD_TEST_BIN"))
(setq switchyard-settings
      (json-parse-string (getenv "SWITCHYARD_TEST_SETTINGS")
                         :object-type 'plist :array-type 'array))
(switchyard-setup)
(setq eglot-sync-connect t)

(defvar sy-results nil)
(defun sy-record (key value)
  (setq sy-results (plist-put sy-results key value)))

(defun sy-finish (&optional error)
  (when error (sy-record :error error))
  (with-temp-file (getenv "SWITCHYARD_TEST_OUT")
    (insert (json-serialize (or sy-results '(:none t)))))
  (kill-emacs 0))

(defun sy-wait (pred seconds what)
  (let ((deadline (+ (float-time) seconds)))
    (while (not (funcall pred))
      (when (> (float-time) deadline)
        (error "Timed out after %ss waiting for %s" seconds what))
      (accept-process-output nil 0.05))))
