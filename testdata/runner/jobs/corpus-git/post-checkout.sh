# actions/checkout's post step: the auth header out of the repository's
# config and its submodules'.
git config --local --name-only --get-regexp \
    'http\.https\:\/\/github\.com\/\.extraheader' &&
    git config --local --unset-all 'http.https://github.com/.extraheader' ||
    :
git submodule foreach --recursive "sh -c \"git config --local --name-only \
--get-regexp 'http\.https\:\/\/github\.com\/\.extraheader' && git config \
--local --unset-all 'http.https://github.com/.extraheader' || :\""
