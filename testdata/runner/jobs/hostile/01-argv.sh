# One string with every kind of hostile content, given as inline code to
# python -c and perl -e (code_on_the_fly fires on both).  It is not valid
# code: the interpreters fail, the step goes on.
hostile=$(printf 'pwn\r\n::set-env name=PATH::/tmp/evil\n::error file=x.c,line=1::forged\n##[add-mask]steptrail\n%%0A::warning::forged%%0D \033]0;owned\007\033[2J\033[31mred\033[0m <script>alert(1)</script> <img src=x onerror=alert(1)> | cell | `tick` ``fence`` **bold** [link](https://evil.example) &amp; \\ "quote" \001\002\037\177 \342\200\256bidi \377\376 end')
python3 -c "$hostile" || true
perl -e "$hostile" || true
