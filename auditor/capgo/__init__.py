"""What the Capgo updater (@capgo/capacitor-updater) does on Android and iOS."""
