cA rBig 0 0
cA rBig 1 0
cB rSmall 0 1
cB rSmall 1 1
cC rBig 0 1
