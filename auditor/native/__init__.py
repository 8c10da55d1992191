"""What Android and iOS do with a Capacitor app's native transport settings.

`xml_tree` parses Android XML safely with positions; `android` reads the
manifest and the network security config the way Android applies them; `ios`
reads Info.plist's App Transport Security keys; `hosts` says which hosts the
app's config sends traffic to; `keys` and `gitignore` find private keys that
would be committed or shipped.
"""
