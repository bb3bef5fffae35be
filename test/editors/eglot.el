;;; eglot.el --- the editors tier, Emacs part  -*- lexical-binding: t -*-
;; Debian's Emacs (28, emacs-nox) with eglot 1.9 drives the bundled language server, in a terminal under
;; tmux: in --batch Emacs never reads its event queue, so file notifications (eglot's watching of the files
;; the server asked it to watch) and idle timers (eglot's sending of edits) never run. eglot is started
;; with `eglot' itself (what M-x eglot runs) on the project eglot finds: outside any repository that is a
;; transient project rooted at the migration's own folder. Settings go the eglot way, through
;; `eglot-workspace-configuration'. Started by test/editors/run.ts, which makes the project and reads one
;; JSON line per check from $EDITORS_RESULTS.
;; Env: EDITORS_NODE, EDITORS_SERVER (dist/server.js), EDITORS_PROJECT (the project root), EDITORS_RESULTS.
(require 'cl-lib)
(require 'json)
(require 'eglot)
(require 'python)

(defvar alembic-results (getenv "EDITORS_RESULTS"))
(defvar alembic-root (file-name-as-directory (getenv "EDITORS_PROJECT")))
(defvar alembic-versions (expand-file-name "migrations/versions/" alembic-root))
(defvar alembic-child (expand-file-name "bbbb_child.py" alembic-versions))
(defvar alembic-orphan (expand-file-name "cccc_orphan.py" alembic-versions))
(defvar alembic-started (float-time))
(defvar alembic-first-diagnostics nil)
(defvar alembic-server nil)
(defvar alembic-log nil "The server's window/logMessage lines, newest first, shown with a failed check.")

(defvar alembic-diagnostics (make-hash-table :test #'equal)
  "The last diagnostics eglot received, by file path: eglot itself keeps only those of visited files.")

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key uri diagnostics &allow-other-keys)
  (let ((file (eglot--uri-to-path uri)))
    (when (and (null alembic-first-diagnostics) (equal file alembic-child))
      (setq alembic-first-diagnostics (- (float-time) alembic-started)))
    (puthash file diagnostics alembic-diagnostics)))

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql window/logMessage)) &key message &allow-other-keys)
  (push message alembic-log))

(defun alembic-report (name ok detail)
  (let ((line (json-encode `((editor . "emacs") (name . ,name) (ok . ,(if ok t :json-false)) (detail . ,detail)))))
    (with-temp-buffer
      (insert line "\n")
      (append-to-file (point-min) (point-max) alembic-results))))

(defmacro alembic-check (name &rest body)
  "Runs BODY as one check; a failure is reported with its message and the next check still runs."
  (declare (indent 1))
  `(condition-case err
       (alembic-report ,name t (format "%s" (or (progn ,@body) "")))
     (error (alembic-report ,name nil (format "%s\nserver log:\n%s" (error-message-string err)
                                             (mapconcat #'identity (reverse alembic-log) "\n"))))))

(defun alembic-wait (what predicate &optional seconds)
  (let ((deadline (+ (float-time) (or seconds 10))))
    (while (not (funcall predicate))
      (when (> (float-time) deadline) (error "Timed out waiting for %s" what))
      ;; sit-for waits as the command loop does: events, file notifications and idle timers run.
      (if noninteractive (accept-process-output nil 0.05) (sit-for 0.05)))))

(defun alembic-codes (file)
  (sort (cl-loop for d across (gethash file alembic-diagnostics []) collect (format "%s" (plist-get d :code))) #'string<))

(defun alembic-has (file code) (member code (alembic-codes file)))

(defun alembic-goto-parent-id ()
  (goto-char (point-min))
  (re-search-forward "^down_revision = \"")
  (forward-char 2))

(defun alembic-send-changes ()
  "Nothing to do in a terminal: eglot's idle timer sends the edit while `alembic-wait' waits."
  (when noninteractive (eglot--signal-textDocument/didChange)))

(defun alembic-replace-line (regexp text)
  (goto-char (point-min))
  (re-search-forward regexp)
  (delete-region (line-beginning-position) (line-end-position))
  (insert text)
  (alembic-send-changes))

(defun alembic-main ()
  (setq-default eglot-workspace-configuration '(:alembic (:rules (:docstring-mismatch "off"))))
  (find-file alembic-child)
  (python-mode)
  (let ((project (eglot--current-project)))
    (eglot '(python-mode) project 'eglot-lsp-server
           (list (getenv "EDITORS_NODE") (getenv "EDITORS_SERVER") "--stdio") "python"))
  (alembic-wait "eglot to manage the buffer" (lambda () (bound-and-true-p eglot--managed-mode)))
  (setq alembic-server (eglot--current-server-or-lose))

  (alembic-check "diagnostics on the open file (its path has + @ (1) and a space), project outside any repository"
    (alembic-wait "missing-downgrade on the child" (lambda () (alembic-has alembic-child "missing-downgrade")))
    (format "first diagnostics %.0f ms after M-x eglot; eglot's project root: %s"
            (* 1000 alembic-first-diagnostics) (project-root (eglot--project alembic-server))))

  (alembic-check "diagnostics for a file not open reach eglot; a rule set to off in eglot-workspace-configuration is gone"
    (alembic-wait "unknown-revision without docstring-mismatch on the orphan"
                  (lambda () (and (alembic-has alembic-orphan "unknown-revision") (not (alembic-has alembic-orphan "docstring-mismatch")))))
    (format "%s (eglot 1.9 shows diagnostics of visited files only)" (alembic-codes alembic-orphan)))

  (alembic-check "hover over the parent id, in plain text (no markdown-mode here)"
    (alembic-goto-parent-id)
    (let* ((hover (jsonrpc-request alembic-server :textDocument/hover (eglot--TextDocumentPositionParams)))
           (contents (plist-get hover :contents)))
      (unless (and (equal (plist-get contents :kind) "plaintext") (string-match-p "aaaa00000001" (plist-get contents :value)))
        (error "Hover: %S" hover))
      (when (string-match-p "\\*\\*\\|`" (plist-get contents :value)) (error "Markdown in a plain-text hover: %S" contents))))

  (alembic-check "definition of the parent id is the parent file"
    (alembic-goto-parent-id)
    (let* ((result (jsonrpc-request alembic-server :textDocument/definition (eglot--TextDocumentPositionParams)))
           (location (if (vectorp result) (aref result 0) result))
           (file (eglot--uri-to-path (or (plist-get location :uri) (plist-get location :targetUri)))))
      (unless (equal file (expand-file-name "aaaa_base.py" alembic-versions)) (error "Definition: %S" result))))

  (alembic-check "completion inside down_revision offers the parent"
    (alembic-goto-parent-id)
    (let* ((result (jsonrpc-request alembic-server :textDocument/completion (eglot--CompletionParams)))
           (items (if (vectorp result) result (plist-get result :items))))
      (unless (cl-find "aaaa00000001" items :key (lambda (i) (plist-get i :label)) :test #'equal)
        (error "Completion: %S" items))
      (format "%d item(s)" (length items))))

  (alembic-check "a code action applied, and its diagnostic gone"
    (let* ((all (gethash alembic-child alembic-diagnostics))
           (target (cl-find "missing-downgrade" all :key (lambda (d) (plist-get d :code)) :test #'equal))
           (actions (jsonrpc-request alembic-server :textDocument/codeAction
                                     (list :textDocument (eglot--TextDocumentIdentifier)
                                           :range (plist-get target :range)
                                           ;; eglot sends the diagnostics flymake has around point
                                           :context (list :diagnostics all))))
           (fix (cl-find-if (lambda (a) (and (plist-get a :edit) (not (string-prefix-p "Suppress" (plist-get a :title))))) actions)))
      (unless fix (error "No quick fix among %S" actions))
      (eglot--apply-workspace-edit (plist-get fix :edit))
      (alembic-send-changes)
      (alembic-wait "missing-downgrade gone" (lambda () (not (alembic-has alembic-child "missing-downgrade"))))
      (plist-get fix :title)))

  (alembic-check "an edit that breaks the file, then one that fixes it"
    (alembic-replace-line "^down_revision" "down_revision = \"zzzz0000000z")
    (alembic-wait "a finding about the broken line"
                  (lambda () (or (alembic-has alembic-child "unknown-revision") (alembic-has alembic-child "invalid-revision-id"))))
    (alembic-replace-line "^down_revision" "down_revision = \"aaaa00000001\"")
    (alembic-wait "the file clean again"
                  (lambda () (not (or (alembic-has alembic-child "unknown-revision") (alembic-has alembic-child "invalid-revision-id"))))))

  (alembic-check "a migration created on disk is picked up"
    (let ((created (expand-file-name "dddd_created.py" alembic-versions)))
      (with-temp-file created
        (insert "\"\"\"created\n\nRevision ID: dddd00000004\nRevises: bbbb00000002\n\"\"\"\nrevision = \"dddd00000004\"\n"
                "down_revision = \"bbbb0000000x\"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"))
      (alembic-wait "unknown-revision on the created file" (lambda () (alembic-has created "unknown-revision")))))

  (alembic-check "clean exit (shutdown, exit, and the server ends with status 0)"
    ;; eglot-shutdown sends the same two messages, but its jsonrpc then deletes the process at once
    ;; (SIGKILL), so the server's own exit status is checked with the messages sent over eglot's connection.
    (let ((process (jsonrpc--process alembic-server)))
      (jsonrpc-request alembic-server :shutdown nil)
      (jsonrpc-notify alembic-server :exit nil)
      (alembic-wait "the server process to end" (lambda () (not (process-live-p process))) 5)
      (unless (and (eq (process-status process) 'exit) (= (process-exit-status process) 0))
        (error "Server ended with %s %s" (process-status process) (process-exit-status process))))))

(defun alembic-run ()
  (condition-case err
      (alembic-main)
    (error (alembic-report "the script ran to its end" nil (error-message-string err))))
  (kill-emacs 0))

;; In a terminal, after startup has finished, so that the checks run inside the command loop.
(if noninteractive (alembic-run) (run-with-timer 0.2 nil #'alembic-run))
