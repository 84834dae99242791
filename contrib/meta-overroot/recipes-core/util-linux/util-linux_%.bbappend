# overroot links libblkid statically, and poky's no-static-libs.inc (DISABLE_STATIC =
# "--disable-static") leaves util-linux without libblkid.a. Build the static libraries for the
# target too: they land in util-linux-staticdev and the recipe sysroot, and nothing installed in
# an image changes. Native and nativesdk builds are left alone.
DISABLE_STATIC:class-target = ""
