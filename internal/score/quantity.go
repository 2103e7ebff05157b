package score

import (
	"math/big"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// maxQuantityLen and maxExponent keep hostile quantities cheap.
const (
	maxQuantityLen = 64
	maxExponent    = 30
)

// ParseQuantity parses a non-negative Kubernetes resource quantity and
// returns its value in base units (CPUs or bytes):
//
//	quantity ::= ["+"] number suffix
//	number   ::= digits | digits "." [digits] | "." digits
//	suffix   ::= "" | binary | decimal | ("e" | "E") ["+" | "-"] digits
//	binary   ::= Ki | Mi | Gi | Ti | Pi | Ei
//	decimal  ::= n | u | m | k | K | M | G | T | P | E
//
// "K" is not Kubernetes grammar but the Score schema allows it ("125K"), so
// it is read as 1000. Examples: "500m", "1", "0.5", "128Mi", "1G", "1e3".
// Every quantity the Score schema's cpu and memory patterns accept is
// accepted. Negative quantities are rejected.
func ParseQuantity(s string) (*big.Rat, error) {
	if s == "" {
		return nil, errs.New(errs.Invalid, "quantity is empty")
	}
	if len(s) > maxQuantityLen {
		return nil, errs.New(errs.Invalid, "quantity is longer than %d characters", maxQuantityLen)
	}
	i := 0
	if s[0] == '-' {
		return nil, errs.New(errs.Invalid, "quantity %q must not be negative", s)
	}
	if s[0] == '+' {
		i++
	}
	start := i
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return nil, badQuantity(s)
	}
	num, ok := new(big.Rat).SetString(s[start:i])
	if !ok {
		return nil, badQuantity(s)
	}
	suffix := s[i:]
	mult, ok := quantitySuffix(suffix)
	if !ok {
		return nil, badQuantity(s)
	}
	return num.Mul(num, mult), nil
}

func badQuantity(s string) error {
	return errs.New(errs.Invalid, "%q is not a quantity (examples: 500m, 0.5, 2, 128Mi, 1G, 1e3)", s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// quantitySuffix returns the multiplier of a suffix.
func quantitySuffix(suffix string) (*big.Rat, bool) {
	switch suffix {
	case "":
		return big.NewRat(1, 1), true
	case "Ki", "Mi", "Gi", "Ti", "Pi", "Ei":
		shift := uint(10 * (strings.IndexByte("KMGTPE", suffix[0]) + 1))
		return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), shift)), true
	case "n":
		return pow10(-9), true
	case "u":
		return pow10(-6), true
	case "m":
		return pow10(-3), true
	case "k", "K":
		return pow10(3), true
	case "M":
		return pow10(6), true
	case "G":
		return pow10(9), true
	case "T":
		return pow10(12), true
	case "P":
		return pow10(15), true
	case "E":
		return pow10(18), true
	}
	if suffix[0] != 'e' && suffix[0] != 'E' {
		return nil, false
	}
	exp := suffix[1:]
	neg := false
	if exp != "" && (exp[0] == '+' || exp[0] == '-') {
		neg = exp[0] == '-'
		exp = exp[1:]
	}
	if exp == "" {
		return nil, false
	}
	n := 0
	for i := 0; i < len(exp); i++ {
		if !isDigit(exp[i]) {
			return nil, false
		}
		n = n*10 + int(exp[i]-'0')
		if n > maxExponent {
			return nil, false
		}
	}
	if neg {
		n = -n
	}
	return pow10(n), true
}

func pow10(n int) *big.Rat {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(n))), nil)
	if n < 0 {
		return new(big.Rat).SetFrac(big.NewInt(1), p)
	}
	return new(big.Rat).SetInt(p)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
