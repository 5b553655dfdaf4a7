;;; switchyard.el --- Switchyard AI completions and code actions through eglot  -*- lexical-binding: t; -*-

;; Version: 0.1
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: tools, languages, convenience

;;; Commentary:

;; Runs the switchyard language server with eglot.  Completions come in
;; `completion-at-point' (and so in corfu or company through their capf
;; backends); code actions come with `eglot-code-actions'.  Emacs has no
;; ghost text for LSP inline completions, so none is shown.
;;
;;   (require 'switchyard)
;;   (setq switchyard-settings
;;         '(:providers (:local (:type "ollama" :base_url "http://127.0.0.1:11434"))
;;           :models (:coder (:provider "local" :id "qwen2.5-coder:1.5b-base"
;;                            :classes ["completion"]))
;;           :routes (:completion ["coder"])))
;;   (switchyard-setup)
;;   (add-hook 'prog-mode-hook #'eglot-ensure)
;;
;; `switchyard-settings' mirrors the server's schema (config/schema.json)
;; as a plist: objects are plists with keyword keys, arrays are vectors.
;; Leave it nil to use only ~/.config/switchyard/config.toml.
;;
;; M-x switchyard-set-model, switchyard-set-provider and
;; switchyard-set-route change the settings and send them to running
;; servers with workspace/didChangeConfiguration; no restart is needed.

;;; Code:

(require 'cl-lib)
(require 'eglot)

(defgroup switchyard nil
  "Switchyard AI language server through eglot."
  :group 'tools
  :prefix "switchyard-")

(defcustom switchyard-program "switchyard"
  "The switchyard binary: a name on `exec-path' or an absolute path."
  :type 'string)

(defcustom switchyard-config-file nil
  "The server's configuration file, passed as --config; nil for the default."
  :type '(choice (const :tag "Default" nil) file))

(defcustom switchyard-modes '(prog-mode)
  "Major modes switchyard serves; modes derived from them are served too."
  :type '(repeat symbol))

(defcustom switchyard-settings nil
  "The server's settings as a plist mirroring config/schema.json.
Sent as initializationOptions and as the \"switchyard\" section of
workspace/configuration.  Objects are plists with keyword keys,
arrays are vectors."
  :type 'sexp)

(defvar switchyard-status nil
  "The server's last switchyard/status: a plist of :model, :provider,
:online and :lastError.")

(defvar switchyard--previous-configuration nil
  "The default `eglot-workspace-configuration' before `switchyard-setup'.")

(defconst switchyard--tasks '("completion" "coding" "refactor" "image" "long_context")
  "The tasks of [routes].")

(defun switchyard--contact (&optional _interactive)
  "The eglot contact for the switchyard server."
  (append (list switchyard-program "serve" "--stdio")
          (when switchyard-config-file
            (list "--config" (expand-file-name switchyard-config-file)))
          (when switchyard-settings
            (list :initializationOptions switchyard-settings))))

(defun switchyard--workspace-configuration (server)
  "`eglot-workspace-configuration' with the switchyard section added.
Other servers' sections, from the previous default value, are kept."
  (let* ((prev switchyard--previous-configuration)
         (prev (if (functionp prev) (funcall prev server) prev))
         (out (list :switchyard (or switchyard-settings eglot--{}))))
    (cl-loop for (k v) on prev by #'cddr
             unless (memq k '(:switchyard switchyard))
             do (setq out (append out (list k v))))
    out))

;;;###autoload
(defun switchyard-setup ()
  "Register switchyard with eglot for `switchyard-modes'."
  (setq eglot-server-programs
        (cons (cons switchyard-modes #'switchyard--contact)
              (cl-remove #'switchyard--contact eglot-server-programs :key #'cdr)))
  (unless (eq (default-value 'eglot-workspace-configuration)
              #'switchyard--workspace-configuration)
    (setq switchyard--previous-configuration
          (default-value 'eglot-workspace-configuration))
    (setq-default eglot-workspace-configuration #'switchyard--workspace-configuration)))

(defun switchyard--servers ()
  "The running eglot servers that are switchyard."
  (let (out)
    (maphash (lambda (_project servers)
               (dolist (s servers)
                 (when (equal (plist-get (eglot--server-info s) :name) "switchyard")
                   (push s out))))
             eglot--servers-by-project)
    out))

(defun switchyard--signal ()
  "Send the settings to every running switchyard server; return how many."
  (let ((servers (switchyard--servers)))
    (dolist (s servers)
      (eglot-signal-didChangeConfiguration s))
    (length servers)))

(defun switchyard--names (key)
  "The names in the plist `switchyard-settings' KEY (:models, :providers)."
  (cl-loop for (k _v) on (plist-get switchyard-settings key) by #'cddr
           collect (substring (symbol-name k) 1)))

(defun switchyard--route (task)
  "The models of TASK's route, as a list of strings."
  (append (plist-get (plist-get switchyard-settings :routes) (intern (concat ":" task))) nil))

(defun switchyard--set-route (task models)
  "Make MODELS the route of TASK and send the settings."
  (let ((routes (copy-sequence (plist-get switchyard-settings :routes))))
    (setq switchyard-settings
          (plist-put (copy-sequence switchyard-settings) :routes
                     (plist-put routes (intern (concat ":" task)) (vconcat models))))
    (let ((n (switchyard--signal)))
      (message "Switchyard: route for %s: %s%s" task (string-join models ", ")
               (if (zerop n) " (no server running yet)" "")))))

;;;###autoload
(defun switchyard-set-model (model &optional task)
  "Put MODEL first in the route for TASK (default completion).
The rest of the route stays as fallback."
  (interactive
   (list (completing-read "Switchyard model: " (switchyard--names :models))
         (when current-prefix-arg
           (completing-read "For which work: " switchyard--tasks nil t))))
  (let ((task (or task "completion")))
    (switchyard--set-route task (cons model (remove model (switchyard--route task))))))

;;;###autoload
(defun switchyard-set-provider (provider)
  "Put the models PROVIDER serves first in every route."
  (interactive (list (completing-read "Switchyard provider: " (switchyard--names :providers))))
  (let ((models (plist-get switchyard-settings :models)))
    (dolist (task switchyard--tasks)
      (let ((route (switchyard--route task)))
        (when route
          (let ((served (cl-remove-if-not
                         (lambda (m)
                           (equal (plist-get (plist-get models (intern (concat ":" m))) :provider)
                                  provider))
                         route)))
            (switchyard--set-route task (append served (cl-set-difference route served :test #'equal)))))))))

;;;###autoload
(defun switchyard-set-route (task models)
  "Set the route for TASK to MODELS, in order of preference."
  (interactive
   (let ((task (completing-read "Route for which work: " switchyard--tasks nil t)))
     (list task (split-string
                 (read-string (format "Models for %s, in order: " task)
                              (string-join (switchyard--route task) ", "))
                 "[, ]+" t))))
  (switchyard--set-route task models))

(cl-defmethod eglot-handle-notification
  (_server (_method (eql switchyard/status)) &key model provider online lastError
           &allow-other-keys)
  "Remember the server's status for `switchyard-mode-line'."
  (setq switchyard-status (list :model model :provider provider
                                :online (eq online t) :lastError lastError))
  (force-mode-line-update t))

(defun switchyard-mode-line ()
  "A mode-line string for the model in use, e.g. in `global-mode-string'."
  (let ((s switchyard-status))
    (if (null s) ""
      (concat "switchyard"
              (when (plist-get s :model)
                (concat " " (plist-get s :model)
                        (when (plist-get s :provider) (concat "@" (plist-get s :provider)))))
              (unless (plist-get s :online) " (offline)")
              (when (plist-get s :lastError) " !")))))

;;;###autoload
(defun switchyard-show-status ()
  "Show the model, provider and online state the server last reported."
  (interactive)
  (message "%s" (if switchyard-status
                    (format "Switchyard: model %s, provider %s, %s%s"
                            (or (plist-get switchyard-status :model) "none yet")
                            (or (plist-get switchyard-status :provider) "none yet")
                            (if (plist-get switchyard-status :online) "online" "offline")
                            (if (plist-get switchyard-status :lastError)
                                (concat ", last error: " (plist-get switchyard-status :lastError))
                              ""))
                  "Switchyard: no status yet; the server sends one after the first completion")))

(defconst switchyard--needs-instruction '("rewrite" "refactor")
  "Actions that fail without an instruction.")

(defun switchyard--ask (data)
  "Complete action DATA (a plist) with the instruction and scope it needs."
  (when (and (member (plist-get data :action) switchyard--needs-instruction)
             (member (plist-get data :instruction) '(nil "")))
    (setq data (plist-put data :instruction
                          (read-string (format "%s: what should change? "
                                               (or (plist-get data :title) "Switchyard")))))
    (when (and (equal (plist-get data :action) "refactor") (not (plist-get data :scope)))
      (setq data (plist-put data :scope (completing-read "Refactor across: "
                                                         '("package" "file" "workspace")
                                                         nil t nil nil "package")))))
  data)

(cl-defmethod eglot-execute-command
  (server (command (eql switchyard.runAction)) arguments)
  "Ask for the words an action needs before the server runs it."
  (let ((data (and (> (length arguments) 0) (aref arguments 0))))
    (cl-call-next-method server command (vector (switchyard--ask data)))))

;;;###autoload
(defun switchyard-refactor (beg end instruction)
  "Refactor the region from BEG to END following INSTRUCTION."
  (interactive
   (let ((r (if (use-region-p) (list (region-beginning) (region-end))
              (list (line-beginning-position) (line-end-position)))))
     (append r (list (read-string "Refactor: what should change? ")))))
  (let ((server (eglot--current-server-or-lose)))
    (unless (member "switchyard.runAction"
                    (append (plist-get (eglot--server-capable :executeCommandProvider) :commands) nil))
      (user-error "Switchyard: this server does not offer switchyard.runAction yet; update it"))
    (eglot-execute-command
     server 'switchyard.runAction
     (vector (list :action "refactor" :title "Refactor"
                   :uri (plist-get (eglot--TextDocumentIdentifier) :uri)
                   :range (list :start (eglot--pos-to-lsp-position beg)
                                :end (eglot--pos-to-lsp-position end))
                   :instruction instruction :scope "package")))))

(provide 'switchyard)
;;; switchyard.el ends here
