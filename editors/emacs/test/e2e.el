;;; e2e.el --- drive switchyard.el in batch Emacs  -*- lexical-binding: t; -*-

;; Run by editors/emacs_test.go as
;;   emacs --batch -Q -l e2e.el
;; with the inputs in the environment.  It completes with
;; `completion-at-point' through eglot, switches the model with
;; `switchyard-set-model', completes again, tries a code action, and
;; writes what it saw as JSON to $SWITCHYARD_TEST_OUT.

(load (expand-file-name "harness.el" (file-name-directory load-file-name)) nil t)

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
