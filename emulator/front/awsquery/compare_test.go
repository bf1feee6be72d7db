package awsquery_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// sameAsLibrary checks that what the SDK parsed from the wire (sdk) holds
// what the emulator library returned (lib): every member of lib that the
// SDK's shape also has, by name, recursively; pointers and enum types are
// looked through. It returns the differences.
func sameAsLibrary(lib, sdk any) []string {
	var diffs []string
	compareValue("", reflect.ValueOf(lib), reflect.ValueOf(sdk), &diffs)
	return diffs
}

func checkSame(t *testing.T, what string, lib, sdk any) {
	t.Helper()
	for _, d := range sameAsLibrary(lib, sdk) {
		t.Errorf("%s: %s", what, d)
	}
}

var timeT = reflect.TypeFor[time.Time]()

func compareValue(path string, lib, sdk reflect.Value, diffs *[]string) {
	for lib.Kind() == reflect.Pointer || lib.Kind() == reflect.Interface {
		if lib.IsNil() {
			lib = reflect.Value{}
			break
		}
		lib = lib.Elem()
	}
	for sdk.Kind() == reflect.Pointer || sdk.Kind() == reflect.Interface {
		if sdk.IsNil() {
			sdk = reflect.Value{}
			break
		}
		sdk = sdk.Elem()
	}
	switch {
	case !lib.IsValid() && !sdk.IsValid():
		return
	case !lib.IsValid():
		if !sdk.IsZero() {
			*diffs = append(*diffs, fmt.Sprintf("%s: library nil, wire %v", path, sdk.Interface()))
		}
		return
	case !sdk.IsValid():
		if !lib.IsZero() && !(lib.Kind() == reflect.Slice && lib.Len() == 0) {
			*diffs = append(*diffs, fmt.Sprintf("%s: library %v, missing on the wire", path, lib.Interface()))
		}
		return
	}
	switch {
	case lib.Type() == timeT:
		lt, st := lib.Interface().(time.Time), sdk.Interface().(time.Time)
		if !lt.Truncate(time.Millisecond).Equal(st) {
			*diffs = append(*diffs, fmt.Sprintf("%s: library %v, wire %v", path, lt, st))
		}
	case lib.Kind() == reflect.Struct:
		for i := range lib.NumField() {
			name := lib.Type().Field(i).Name
			if !lib.Type().Field(i).IsExported() {
				continue
			}
			sf := sdk.FieldByName(name)
			if !sf.IsValid() {
				continue // a member the SDK's shape does not have
			}
			compareValue(path+"."+name, lib.Field(i), sf, diffs)
		}
	case lib.Kind() == reflect.Slice:
		if lib.Len() != sdk.Len() {
			*diffs = append(*diffs, fmt.Sprintf("%s: library has %d items, wire %d", path, lib.Len(), sdk.Len()))
			return
		}
		for i := range lib.Len() {
			compareValue(fmt.Sprintf("%s[%d]", path, i), lib.Index(i), sdk.Index(i), diffs)
		}
	case lib.Kind() == reflect.String:
		if lib.String() != sdk.String() {
			*diffs = append(*diffs, fmt.Sprintf("%s: library %q, wire %q", path, lib.String(), sdk.String()))
		}
	case isNumber(lib.Kind()):
		if fmt.Sprint(lib.Interface()) != fmt.Sprint(sdk.Interface()) {
			*diffs = append(*diffs, fmt.Sprintf("%s: library %v, wire %v", path, lib.Interface(), sdk.Interface()))
		}
	case lib.Kind() == reflect.Bool:
		if lib.Bool() != sdk.Bool() {
			*diffs = append(*diffs, fmt.Sprintf("%s: library %v, wire %v", path, lib.Bool(), sdk.Bool()))
		}
	}
}

func isNumber(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}
