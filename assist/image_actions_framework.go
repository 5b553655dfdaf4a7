package assist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// framework is a UI stack the generated code is written for.
type framework struct {
	ID    string // react, vue, svelte, swiftui, flutter, html
	Name  string // for the prompt and titles
	Fence string // the code block's language
	Ext   string // of a new component file
	// Hints are conventions the prompt asks for.
	Hints string
}

var frameworks = map[string]framework{
	"react": {ID: "react", Name: "React", Fence: "tsx", Ext: ".tsx",
		Hints: "A function component with hooks, default-exported; styles in a CSS module or inline style objects, no UI library the project does not have."},
	"vue": {ID: "vue", Name: "Vue 3", Fence: "vue", Ext: ".vue",
		Hints: "A single-file component with <script setup>, <template> and <style scoped>."},
	"svelte": {ID: "svelte", Name: "Svelte", Fence: "svelte", Ext: ".svelte",
		Hints: "A Svelte component with <script>, markup and a <style> block."},
	"swiftui": {ID: "swiftui", Name: "SwiftUI", Fence: "swift", Ext: ".swift",
		Hints: "A SwiftUI View struct with a #Preview; system fonts and colours where they match."},
	"flutter": {ID: "flutter", Name: "Flutter", Fence: "dart", Ext: ".dart",
		Hints: "A StatelessWidget (StatefulWidget only where the screen has state) using Material widgets."},
	"html": {ID: "html", Name: "HTML and CSS", Fence: "html", Ext: ".html",
		Hints: "One semantic HTML5 document with its CSS in a <style> element; no frameworks, flexbox or grid for layout."},
}

var frameworkAliases = map[string]string{
	"react": "react", "reactjs": "react", "next": "react", "nextjs": "react", "next.js": "react", "preact": "react", "jsx": "react", "tsx": "react",
	"vue": "vue", "vuejs": "vue", "vue3": "vue", "nuxt": "vue",
	"svelte": "svelte", "sveltekit": "svelte",
	"swiftui": "swiftui", "swift": "swiftui", "ios": "swiftui",
	"flutter": "flutter", "dart": "flutter",
	"html": "html", "css": "html", "html/css": "html", "htmlcss": "html", "plain": "html", "web": "html",
}

// FrameworkNames are the values switchyard.implementFromImage takes as
// its framework argument.
var FrameworkNames = []string{"react", "vue", "svelte", "swiftui", "flutter", "html"}

// chooseFramework returns the framework asked for, else the one the
// document's language implies, else the one the workspace's manifests
// name (package.json, pubspec.yaml, Package.swift), else plain HTML/CSS.
func chooseFramework(asked string, doc Document, folders []string) (framework, error) {
	if asked != "" {
		id, ok := frameworkAliases[strings.ToLower(strings.TrimSpace(asked))]
		if !ok {
			return framework{}, fmt.Errorf("framework %q is not known: use one of %s, or leave it out to infer it from the workspace", asked, strings.Join(FrameworkNames, ", "))
		}
		return withLanguage(frameworks[id], doc, folders), nil
	}
	if id := frameworkOfDocument(doc); id != "" {
		return withLanguage(frameworks[id], doc, folders), nil
	}
	if id := frameworkOfWorkspace(doc.Path, folders); id != "" {
		return withLanguage(frameworks[id], doc, folders), nil
	}
	return frameworks["html"], nil
}

func frameworkOfDocument(doc Document) string {
	switch strings.ToLower(filepath.Ext(doc.Path)) {
	case ".tsx", ".jsx":
		return "react"
	case ".vue":
		return "vue"
	case ".svelte":
		return "svelte"
	case ".swift":
		return "swiftui"
	case ".dart":
		return "flutter"
	}
	switch doc.LanguageID {
	case "typescriptreact", "javascriptreact":
		return "react"
	case "vue", "svelte", "swift", "dart":
		return frameworkAliases[doc.LanguageID]
	}
	return ""
}

// frameworkOfWorkspace looks in the document's folder and each folder
// above it, up to its workspace folder, for a manifest that names a UI
// framework; the nearest one wins, as in a monorepo.
func frameworkOfWorkspace(docPath string, folders []string) string {
	for _, dir := range manifestDirs(docPath, folders) {
		if data, err := readSmall(filepath.Join(dir, "package.json")); err == nil {
			var pkg struct {
				Dependencies    map[string]any `json:"dependencies"`
				DevDependencies map[string]any `json:"devDependencies"`
			}
			if json.Unmarshal(data, &pkg) == nil {
				has := func(name string) bool {
					_, a := pkg.Dependencies[name]
					_, b := pkg.DevDependencies[name]
					return a || b
				}
				switch {
				case has("svelte") || has("@sveltejs/kit"):
					return "svelte"
				case has("vue") || has("nuxt"):
					return "vue"
				case has("react") || has("next") || has("preact"):
					return "react"
				}
			}
		}
		if data, err := readSmall(filepath.Join(dir, "pubspec.yaml")); err == nil && bytes.Contains(data, []byte("flutter")) {
			return "flutter"
		}
		if _, err := os.Stat(filepath.Join(dir, "Package.swift")); err == nil {
			return "swiftui"
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "*.xcodeproj")); len(m) > 0 {
			return "swiftui"
		}
	}
	return ""
}

// manifestDirs lists the document's folder and those above it, stopping
// at the workspace folder that holds it (or after the document's own
// folder when it is in none).
func manifestDirs(docPath string, folders []string) []string {
	var dirs []string
	if docPath == "" {
		return folders
	}
	dir := filepath.Dir(docPath)
	root := ""
	for _, f := range folders {
		if rel, err := filepath.Rel(f, dir); err == nil && !strings.HasPrefix(rel, "..") && len(f) > len(root) {
			root = f
		}
	}
	for {
		dirs = append(dirs, dir)
		parent := filepath.Dir(dir)
		if root == "" || dir == root || parent == dir {
			return dirs
		}
		dir = parent
	}
}

// withLanguage picks JavaScript or TypeScript for React: TypeScript when
// the document is, or a tsconfig.json is in reach.
func withLanguage(f framework, doc Document, folders []string) framework {
	if f.ID != "react" {
		return f
	}
	switch strings.ToLower(filepath.Ext(doc.Path)) {
	case ".tsx", ".ts":
		return f
	case ".jsx", ".js":
		f.Fence, f.Ext = "jsx", ".jsx"
		return f
	}
	for _, dir := range manifestDirs(doc.Path, folders) {
		if _, err := os.Stat(filepath.Join(dir, "tsconfig.json")); err == nil {
			return f
		}
	}
	f.Fence, f.Ext = "jsx", ".jsx"
	return f
}

func readSmall(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > 1<<20 {
		return nil, fmt.Errorf("%s: too large for a manifest", path)
	}
	return os.ReadFile(path)
}

// componentName turns an image's file name into a component name:
// "login-screen@2x.png" gives "LoginScreen".
func componentName(imagePath string) string {
	base := strings.TrimSuffix(filepath.Base(imagePath), filepath.Ext(imagePath))
	if i := strings.IndexByte(base, '@'); i > 0 {
		base = base[:i]
	}
	var b strings.Builder
	upper := true
	for _, r := range base {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if r > unicode.MaxASCII {
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	name := b.String()
	if name == "" || unicode.IsDigit(rune(name[0])) {
		name = "Screen" + name
	}
	return name
}

// componentFile names a new file for a component in f's convention:
// LoginScreen.tsx, LoginScreenView.swift, login_screen.dart,
// login-screen.html.
func componentFile(name string, f framework) string {
	switch f.ID {
	case "swiftui":
		return name + "View" + f.Ext
	case "flutter":
		return snake(name, '_') + f.Ext
	case "html":
		return snake(name, '-') + f.Ext
	}
	return name + f.Ext
}

func snake(name string, sep rune) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteRune(sep)
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
