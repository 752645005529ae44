namespace ResNetGen.Zoo;
