;;; e2e.el --- drive switchyard.el in batch Emacs  -*- lexical-binding: t; -*-

;; Run by editors/emacs_test.go as
;;   emacs --batch -Q -l e2e.el
;; with the inputs in the environment.  It completes with
;; `completion-at-point' through eglot, switches the model with
;; `switchyard-set-model', completes again, tries a code action, and
;; writes what it saw as JSON to $SWITCHYARD_TEST_OUT.

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

;; The server logs "configuration in force" each time it rebuilds its
;; router; counting those tells when a switch has reached it.
(defvar sy-applied 0)
(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql window/logMessage)) &key message &allow-other-keys)
  (when (and (stringp message) (string-match-p "configuration in force" message))
    (setq sy-applied (1+ sy-applied))))

(defun sy-complete ()
  "Complete at point the way a user's TAB does, and return the line."
  (eglot--signal-textDocument/didChange)
  (let ((completion-auto-help nil))
    (completion-at-point))
  (buffer-substring-no-properties (line-beginning-position) (line-end-position)))

(condition-case err
    (progn
      (find-file (getenv "SWITCHYARD_TEST_FILE"))
      (call-interactively #'eglot)
      (sy-wait (lambda () (let ((s (eglot-current-server)))
                            (and s (plist-get (eglot--server-info s) :name))))
               20 "the server to initialize")
      (sy-record :mode (symbol-name major-mode))

      ;; Completion from provider a after "print(".
      (goto-char (point-min))
      (search-forward "print")
      (insert "(")
      (sy-record :first_line (sy-complete))

      ;; Switch to model mb; once the server has the new configuration,
      ;; the next completion must come from provider b.
      (let ((before sy-applied))
        (switchyard-set-model "mb")
        (sy-wait (lambda () (> sy-applied before)) 10 "the server to put the new configuration in force"))
      (sy-record :route (vconcat (switchyard--route "completion")))
      (end-of-line)
      (insert "\n    print(")
      (sy-record :second_line (sy-complete))
      (sy-record :buffer (buffer-substring-no-properties (point-min) (point-max)))
      (sy-record :mode_line (switchyard-mode-line))

      ;; Code actions, when the server lists any here.
      (let ((actions (eglot-code-actions (point-min) (point-max))))
        (sy-record :code_actions (vconcat (mapcar (lambda (a) (plist-get a :title)) actions))))
      (sy-finish))
  (error (sy-finish (error-message-string err))))
