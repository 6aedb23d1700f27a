function Join-OfflineSeedArgument {
    <#
    .SYNOPSIS
    Joins arguments into one command line string, quoted the way the C runtime splits it again.

    .DESCRIPTION
    Only for .NET Framework (Windows PowerShell 5.1), whose ProcessStartInfo has no ArgumentList.
    An argument with a space, tab, newline or double quote (or an empty one) is put in double quotes;
    backslashes are doubled only where they precede a double quote or the closing quote.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [string[]] $Argument
    )

    $parts = [System.Collections.Generic.List[string]]::new()
    foreach ($item in $Argument) {
        if ($item.Length -gt 0 -and $item.IndexOfAny([char[]]@(' ', "`t", "`n", "`v", '"')) -lt 0) {
            $parts.Add($item)
            continue
        }
        $builder = [System.Text.StringBuilder]::new()
        $null = $builder.Append('"')
        $backslashes = 0
        foreach ($character in $item.ToCharArray()) {
            if ($character -eq '\') {
                $backslashes++
                continue
            }
            if ($character -eq '"') {
                $null = $builder.Append([char]'\', 2 * $backslashes + 1)
            } elseif ($backslashes -gt 0) {
                $null = $builder.Append([char]'\', $backslashes)
            }
            $backslashes = 0
            $null = $builder.Append($character)
        }
        $null = $builder.Append([char]'\', 2 * $backslashes)
        $null = $builder.Append('"')
        $parts.Add($builder.ToString())
    }
    return ($parts.ToArray() -join ' ')
}
