;;; codeaction.el --- a code action through switchyard.el in batch Emacs  -*- lexical-binding: t; -*-

;; Run by editors/emacs_test.go: lists the code actions of a line with
;; `eglot-code-actions', runs "Rewrite with AI" the way eglot's menu does,
;; answers the instruction prompt switchyard.el adds, and waits for the
;; server's workspace/applyEdit to change the buffer.

(load (expand-file-name "harness.el" (file-name-directory load-file-name)) nil t)
;; eglot asks before applying an edit the server sends; no one answers here.
(setq eglot-confirm-server-initiated-edits nil)

(condition-case err
    (progn
      (find-file (getenv "SWITCHYARD_TEST_FILE"))
      (call-interactively #'eglot)
      (sy-wait (lambda () (let ((s (eglot-current-server)))
                            (and s (plist-get (eglot--server-info s) :name))))
               20 "the server to initialize")
      (goto-char (point-min))
      (forward-line 1)
      (let* ((beg (line-beginning-position))
             (end (line-end-position))
             (before (buffer-string))
             (actions (eglot-code-actions beg end))
             (rewrite (cl-find-if (lambda (a) (string-prefix-p "Rewrite with AI" (plist-get a :title)))
                                  actions))
             (prompts nil))
        (sy-record :titles (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
        (unless rewrite (error "No Rewrite with AI among the code actions"))
        ;; What eglot's code-action menu does with the chosen action.
        (cl-letf (((symbol-function 'read-string)
                   (lambda (prompt &rest _) (push prompt prompts) "greet the world")))
          (let ((command (plist-get rewrite :command)))
            (if command
                (eglot-execute-command (eglot-current-server)
                                       (intern (plist-get command :command))
                                       (plist-get command :arguments))
              (error "Rewrite with AI came with no command: %S" rewrite))))
        (sy-record :prompts (vconcat prompts))
        (sy-wait (lambda () (not (equal (buffer-string) before))) 15 "the rewrite to change the buffer")
        (sy-record :buffer (buffer-substring-no-properties (point-min) (point-max))))
      (sy-finish))
  (error (sy-finish (error-message-string err))))
