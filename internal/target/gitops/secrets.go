package gitops

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// listedSecret is a Secret as SECRETS.md lists it.
type listedSecret struct {
	obj map[string]any
	// file is where it is committed encrypted, relative to the directory;
	// empty when it is not committed.
	file string
}

// fingerprintDomain separates the fingerprints' HMAC from every other use
// of the hash key.
const fingerprintDomain = "pave gitops secret fingerprint v1\n"

// fingerprint is the HMAC-SHA256 under key of a Secret's plaintext and the
// recipients it is encrypted to.
func fingerprint(key []byte, recipients []string, plaintext []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(fingerprintDomain))
	for _, r := range recipients {
		m.Write([]byte(r + "\n"))
	}
	m.Write([]byte("\n"))
	m.Write(plaintext)
	return hex.EncodeToString(m.Sum(nil))
}

// existingFile reads a file of the directory as the branch holds it.
type existingFile func(path string) ([]byte, bool)

// secretFiles returns the encrypted Secrets and the fingerprints file. A
// Secret whose fingerprint is what the branch records keeps the ciphertext
// the branch holds, so that an unchanged Secret changes nothing.
func (t *Target) secretFiles(r *rendered, s *settings, existing existingFile) (map[string][]byte, error) {
	if len(r.secrets) == 0 {
		return nil, nil
	}
	var old map[string]string
	if b, ok := existing(fingerprintsFile); ok {
		old = parseFingerprints(b)
	}
	out := map[string][]byte{}
	var list bytes.Buffer
	list.WriteString("# pave: HMAC-SHA256, under pave's platform key, of each Secret's manifest and the age\n")
	list.WriteString("# recipients. age encryption is randomized: pave keeps an encrypted file while its\n")
	list.WriteString("# fingerprint is unchanged. This is no checksum of the file.\n")
	for _, sf := range r.secrets {
		fp := fingerprint(t.opts.HashKey, s.recipientKeys, sf.plaintext)
		rel := strings.TrimPrefix(sf.path, secretsDir+"/")
		if prev, ok := existing(sf.path); ok && old[rel] == fp {
			out[sf.path] = prev
		} else {
			enc, err := encrypt(sf.plaintext, s.recipients)
			if err != nil {
				return nil, errs.Wrap(errs.Internal, err, "gitops target: encrypt %s", sf.path)
			}
			out[sf.path] = enc
		}
		list.WriteString(fp + "  " + rel + "\n")
	}
	out[fingerprintsFile] = list.Bytes()
	return out, nil
}

// encrypt encrypts plaintext to recipients as an ASCII-armored age file.
func encrypt(plaintext []byte, recipients []age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, recipients...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parseFingerprints reads "<hex>  <file>" lines; anything else is ignored
// (a hand-edited file costs a re-encryption, nothing more).
func parseFingerprints(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		fp, file, ok := strings.Cut(line, "  ")
		if ok && len(fp) == 2*sha256.Size {
			out[file] = fp
		}
	}
	return out
}

// secretsMarkdown is SECRETS.md: which Secrets the workloads need, their
// keys (never values), and where they come from.
func secretsMarkdown(d *target.Deployment, s *settings, listed []listedSecret) []byte {
	var b strings.Builder
	b.WriteString("# Secrets of app " + mdText(d.App) + " in environment " + mdText(d.Env) + "\n\n")
	b.WriteString("pave writes this directory and never commits a secret value in clear.\n\n")
	if len(s.recipients) > 0 {
		b.WriteString("Each Secret below is committed encrypted with [age](https://age-encryption.org) to the\n")
		b.WriteString("recipients listed at the end, in the file named. Decrypt and apply one with\n\n")
		b.WriteString("    age --decrypt -i key.txt secrets/NAME.yaml.age | kubectl apply -f -\n\n")
		b.WriteString("or have a controller do it. The encrypted files are not listed in kustomization.yaml,\n")
		b.WriteString("which kustomize could not read: apply them before the workloads that use them start.\n")
		b.WriteString("`secrets/fingerprints.txt` lets pave keep a file unchanged while its Secret is.\n\n")
	} else {
		b.WriteString("These Secrets are not committed. Provide each in the cluster under the same name,\n")
		b.WriteString("namespace and keys, for example with the External Secrets Operator, before the\n")
		b.WriteString("workloads that use them start. To have pave commit them encrypted instead, set\n")
		b.WriteString("the gitops target's `ageRecipients`.\n\n")
	}
	b.WriteString("| Secret | Namespace | Keys | File |\n| --- | --- | --- | --- |\n")
	for _, l := range listed {
		_, name := kindName(l.obj)
		var keys []string
		for _, field := range []string{"data", "stringData"} {
			if m, ok := l.obj[field].(map[string]any); ok {
				keys = append(keys, slices.Collect(maps.Keys(m))...)
			}
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		for i, k := range keys {
			keys[i] = mdCode(k)
		}
		file := "not committed"
		if l.file != "" {
			file = mdCode(l.file)
		}
		b.WriteString("| " + mdCode(name) + " | " + mdCode(namespaceOf(l.obj)) + " | " + strings.Join(keys, ", ") + " | " + file + " |\n")
	}
	if len(s.recipientKeys) > 0 {
		b.WriteString("\nRecipients:\n\n")
		for _, r := range s.recipientKeys {
			b.WriteString("- " + mdCode(r) + "\n")
		}
	}
	return []byte(b.String())
}

// mdText keeps text on one line and out of Markdown syntax.
func mdText(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "'", "*", `\*`, "_", `\_`, "[", `\[`, "<", "&lt;").Replace(commentSafe(s))
}

// mdCode is s as a code span in a table cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.NewReplacer("`", "'", "|", `\|`).Replace(commentSafe(s)) + "`"
}
